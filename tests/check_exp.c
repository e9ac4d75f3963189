/* check_exp.c - tests of mkba_exp and mkba_exp_n (exp.h): accuracy against
 * values computed independently, agreement with the C library's exp, the
 * special arguments, and the array loop against the scalar function on
 * the AVX2 and the portable code. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/cpu.h"
#include "mkba/exp.h"
#include "testutil.h"

/* e^x as the double nearest to it and the rest in units of that
 * double's ulp (e^x = near + frac ulp, |frac| <= 1/2), computed with
 * Python's decimal module at 80 digits, float(Decimal) rounding once
 * (subnormals included): 250 arguments drawn uniformly from [-745.2,
 * 709.8] (and narrower ranges: lognormal draws, |x| < 0.01, results in
 * the subnormals, near the overflow), multiples of ln2/256 (the edges of
 * the reduction), and round numbers. */
typedef struct exp_ref {
    double x, near, frac;
} exp_ref;

static const exp_ref refs[] = {
    {0x1.16665e293e7dcp+7, 0x1.c4e739db00f6bp+200, -0.4916},
    {0x1.7878e02e52c2cp+8, 0x1.19055b4b7fbdap+543, 0.1208},
    {-0x1.709321315a714p+8, 0x1.325b7c15a7ed9p-532, 0.2895},
    {-0x1.07975bb02ad76p+9, 0x1.5a6f73c1f0c9fp-761, -0.4279},
    {0x1.2bd816ca83c48p+8, 0x1.7fa2b84450341p+432, -0.4066},
    {0x1.00b0b45450314p+9, 0x1.92206afbf01b2p+740, 0.2090},
    {-0x1.02464b5ad5241p+8, 0x1.4f1eb3c8c4d4cp-373, -0.4144},
    {-0x1.98383758945aap+8, 0x1.0b8a756de7c27p-589, 0.0433},
    {0x1.e293d88006c68p+7, 0x1.1389519e9c793p+348, -0.0365},
    {0x1.1b14a0911198ep+9, 0x1.bd11898734112p+816, -0.1166},
    {-0x1.1a32c9a3bc779p+9, 0x1.add037d1fdddfp-815, -0.0422},
    {-0x1.50454c2415876p+9, 0x1.a7fcc34519847p-971, 0.4805},
    {-0x1.c04080643f3ccp+7, 0x1.92fa9e468f54dp-324, 0.2468},
    {-0x1.358184a2c0becp+8, 0x1.6464e1776aa44p-447, 0.0354},
    {0x1.04a435d578b24p+7, 0x1.0254025e379cep+188, 0.3709},
    {-0x1.e0dc453f61b5cp+8, 0x1.33a0996c7a8d0p-694, -0.4787},
    {-0x1.5e08ce83046bdp+9, 0x1.0288ba464c40ap-1010, -0.2754},
    {-0x1.0dd81237385abp+8, 0x1.9f1cd632a5134p-390, 0.2149},
    {-0x1.9366d986c9f7ep+8, 0x1.028c2fe685a9ap-582, 0.2383},
    {-0x1.3319ee1c2903ep+8, 0x1.ed5bc6bcc3a8dp-444, 0.2959},
    {-0x1.1a8975da6e708p+7, 0x1.24937f24d36ddp-204, 0.4318},
    {-0x1.b77e0c8321e4cp+8, 0x1.ed5ea10079b66p-635, 0.3363},
    {0x1.4fcf763f907c4p+9, 0x1.ec810d9f9f822p+968, 0.2631},
    {0x1.3f0d89b186c48p+7, 0x1.1ba84941c17bep+230, -0.1844},
    {0x1.3d3510733cb94p+8, 0x1.8d1a9f23ac38ap+457, 0.4517},
    {-0x1.90e2db1912b04p+7, 0x1.c47f5445509a0p-290, 0.0855},
    {0x1.33fbd41adf014p+9, 0x1.92943e41b9767p+888, -0.3489},
    {0x1.dca8836c7db10p+8, 0x1.98057e5043a34p+687, -0.2358},
    {-0x1.826be52ecaffdp+8, 0x1.6cfa7db7e0903p-558, -0.0573},
    {0x1.2116b80bf151cp+8, 0x1.0c26918918e83p+417, -0.2830},
    {0x1.3af138ab46b3ap+9, 0x1.a8feefdb85985p+908, -0.2210},
    {0x1.58e08a51bbcd8p+6, 0x1.4f065c6a902d7p+124, -0.4810},
    {-0x1.9c9fbef7b7034p+7, 0x1.4759e42101402p-298, -0.0038},
    {-0x1.891b8485cb50cp+7, 0x1.59951c0c045e9p-284, 0.3457},
    {0x1.d432c1038f208p+8, 0x1.61ed16fe18c1ap+675, -0.3012},
    {0x1.00b0f714391f0p+5, 0x1.39311c4f8a462p+46, -0.0234},
    {0x1.33b88e9fb135ap+9, 0x1.dc07ac4f3136ap+887, 0.1226},
    {0x1.fb5451964ed7cp+7, 0x1.f2450b2fa7cf7p+365, -0.3550},
    {0x1.bd4bfc07b6180p+8, 0x1.584bcb19ad608p+642, -0.1165},
    {0x1.bf1b75616a9b8p+7, 0x1.6f0503c23e274p+322, 0.1676},
    {-0x1.8bd26357a6b38p+7, 0x1.63cbb82fc366bp-286, 0.0906},
    {-0x1.0a853d4602a0bp+8, 0x1.68190b8a0b61ap-385, -0.2437},
    {0x1.451f01a5a2a10p+9, 0x1.129cb7b9e6a71p+938, -0.1820},
    {0x1.0f9d04ca489dep+8, 0x1.cf1e7b40c07d3p+391, 0.2506},
    {-0x1.34551ffaf6240p+7, 0x1.80097da8930aep-223, -0.3019},
    {-0x1.2f3f7fdce58fep+9, 0x1.01fa24088884ap-875, -0.2037},
    {-0x1.1a81a313977f0p+7, 0x1.2914bf54442f1p-204, -0.4785},
    {0x1.2a11b78ed1164p+8, 0x1.041ba5cea4ff5p+430, 0.3225},
    {-0x1.075d7b1a3d7c1p+8, 0x1.07ffd1712ca5bp-380, 0.2659},
    {0x1.0ad69a08e5728p+9, 0x1.e89d00a9df490p+769, -0.3582},
    {-0x1.1fda5908217e4p+9, 0x1.59610835c86d8p-831, 0.4853},
    {0x1.093686aaf7bb4p+7, 0x1.3d86daa56d57ep+191, -0.1210},
    {0x1.f40bfa3e31e50p+7, 0x1.a20b3139f9885p+360, 0.3649},
    {-0x1.474a9b4500a52p+9, 0x1.8dfaa9bd1be84p-945, 0.1257},
    {0x1.afde014c24f74p+7, 0x1.70b5866fa8fe7p+311, 0.4275},
    {0x1.cb454121d1054p+7, 0x1.39ca2e057906ep+331, 0.1185},
    {0x1.254d441f19f00p+8, 0x1.1b154b247731fp+423, 0.3153},
    {0x1.37c52a6788018p+8, 0x1.ba6ce13ac014ep+449, 0.4210},
    {0x1.1498ee9236190p+8, 0x1.083c6b9cfde68p+399, -0.1922},
    {0x1.50ce94cce1724p+9, 0x1.c3c609f51701bp+971, 0.3486},
    {0x1.2318bbe723876p+9, 0x1.e6d6039dc4853p+839, 0.0995},
    {-0x1.02991157598b7p+8, 0x1.e51306b0b2c80p-374, -0.2241},
    {0x1.5b3a092db4190p+5, 0x1.88d5ccaa7373cp+62, -0.4765},
    {0x1.3e98bb24bde90p+9, 0x1.35dce1a402e69p+919, -0.1684},
    {-0x1.7fe4cdc046660p+8, 0x1.1db3d53864aaap-554, -0.2284},
    {-0x1.bc94fede7aef4p+7, 0x1.3b94bce565fe0p-321, -0.0935},
    {0x1.79e2f555ee11cp+8, 0x1.2106e89f1c2dbp+545, 0.4747},
    {0x1.37774472ddfccp+8, 0x1.465a87e881320p+449, -0.0208},
    {-0x1.f5e1c16f1f808p+6, 0x1.fa7cd3add2cc3p-182, -0.0392},
    {-0x1.5370eadf08846p+9, 0x1.7eb2bd5175d80p-980, -0.3830},
    {0x1.724ef9173acf8p+8, 0x1.2eccb585b4988p+534, -0.2886},
    {0x1.25a228ce12480p+9, 0x1.2fce0f1e6f928p+847, 0.3043},
    {0x1.138590beba8e8p+9, 0x1.fba6dea2ec06ep+794, -0.2804},
    {0x1.4ff2b0cc29404p+8, 0x1.9776c04483026p+484, 0.4478},
    {0x1.04ef564dc53a2p+9, 0x1.dd62075b2381fp+752, 0.4178},
    {0x1.78aab1c5d7bb8p+8, 0x1.5564899283c59p+543, 0.1965},
    {-0x1.6ae869fbc797dp+8, 0x1.59ff7a4705f47p-524, -0.3711},
    {0x1.4676abb08f1a8p+7, 0x1.68749eff55ea9p+235, -0.3397},
    {-0x1.5389753dcf6b0p+6, 0x1.73af2266f5798p-123, -0.2740},
    {0x1.3f703566b1710p+7, 0x1.57f20efb55b8fp+230, 0.4409},
    {0x1.35e27b893b204p+7, 0x1.72d0cbe9d5071p+223, 0.2026},
    {-0x1.35933becc9c4fp+9, 0x1.b00730a9300c8p-894, -0.4216},
    {0x1.f85936efdb57cp+8, 0x1.89bb83ee119d4p+727, -0.4640},
    {-0x1.1fcc0b3cffd9dp+8, 0x1.bcae705a4ab3dp-416, -0.0536},
    {-0x1.aa64572cd37b8p+6, 0x1.28715eacd8bf1p-154, -0.2558},
    {-0x1.8c7b6440c6250p+7, 0x1.ff895ab3f9d1fp-287, -0.3117},
    {-0x1.3bd8410428b4ap+9, 0x1.95d331b9e2319p-912, -0.0215},
    {-0x1.a65ed15474a04p+8, 0x1.913f1afac76b1p-610, -0.4137},
    {-0x1.bbe70ddfc4a80p+4, 0x1.f6daea4b52c9dp-41, 0.1524},
    {0x1.5619360432b82p+9, 0x1.1004d0135ac3cp+987, -0.2812},
    {0x1.052b6c54adf96p+8, 0x1.ba10e8832aee8p+376, 0.2289},
    {-0x1.db179a04910c0p+8, 0x1.80808e3852ddbp-686, -0.4033},
    {-0x1.4a744ee157915p+8, 0x1.318825d780933p-477, 0.2325},
    {-0x1.4a8eec00d14b0p+9, 0x1.2831589b3b2c8p-954, 0.2196},
    {0x1.0e0142eac1c2ep+9, 0x1.0ca444e799b99p+779, -0.4882},
    {0x1.f357275388fa0p+5, 0x1.08ef81a52937cp+90, 0.2592},
    {0x1.48395434a9568p+9, 0x1.09c86a5d4e113p+947, 0.4216},
    {-0x1.4f3ad8bd600d5p+9, 0x1.a8ec622fdb2dap-968, 0.4651},
    {-0x1.84d7cdb245af8p+6, 0x1.afe5517b2eaa6p-141, 0.1190},
    {0x1.64db5768d08d8p+8, 0x1.c8d690580c0a4p+514, -0.1392},
    {0x1.985fd78818c1cp+8, 0x1.1df7202da97cdp+589, -0.1219},
    {0x1.d62cf1d5946e0p+7, 0x1.1e056a8d0702ap+339, -0.4903},
    {0x1.b1ddeccea40e8p+8, 0x1.ea552ee2db6dcp+625, 0.2042},
    {-0x1.8e73c0d5c8efcp+7, 0x1.7e0648763ed33p-288, 0.2601},
    {0x1.12cbb55efcce0p+9, 0x1.db5d7123b98bdp+792, -0.1495},
    {-0x1.2d6ee27cb0bb3p+9, 0x1.2ff8fee1f671dp-870, 0.4457},
    {0x1.0afa6d24a0c78p+8, 0x1.1fa621b879b08p+385, -0.1000},
    {-0x1.72aa099ed4a6ep+9, 0x0.0000000000016p-1022, 0.4581},
    {0x1.1f0e6770ef11cp+8, 0x1.190b3766f9800p+414, -0.2304},
    {-0x1.f604ea5c81e8dp+8, 0x1.ab623c46039bep-725, 0.0052},
    {-0x1.1372498f1b1a4p+8, 0x1.8805e01a0abb9p-398, -0.3920},
    {0x1.26c0d63211fdcp+9, 0x1.64993bf8af4c9p+850, -0.4856},
    {-0x1.3180b9ae37bc4p+7, 0x1.8b28a757b5747p-221, 0.2063},
    {0x1.20f541955ffa4p+9, 0x1.b0866269a0014p+833, 0.0997},
    {0x1.ee667c3393d38p+6, 0x1.3ef57efed57a4p+178, -0.3842},
    {-0x1.3e46f009e29a9p+9, 0x1.90b58e414b280p-919, -0.0985},
    {0x1.e52abf804bf30p+6, 0x1.fb68495d2d6ebp+174, 0.0832},
    {-0x1.f8495bda593c8p+6, 0x1.15a3ceb65a808p-182, 0.1541},
    {0x1.1f32037089dc4p+9, 0x1.97801a144b84ap+828, 0.2581},
    {-0x1.3ad3430e491b2p+9, 0x1.85bd862991fbcp-909, 0.4699},
    {0x1.3d02d4934c91cp+4, 0x1.7fd929912f78ap+28, 0.3144},
    {-0x1.ba7f90915dc20p+1, 0x1.023dd61da5766p-5, -0.0141},
    {-0x1.0221f64cf4ed0p+0, 0x1.75955519fe618p-2, 0.2579},
    {0x1.62ae19665c0d0p+2, 0x1.fe50025a8a6a1p+7, 0.0909},
    {-0x1.01b909b03172fp+3, 0x1.4d522cecfd909p-12, -0.1518},
    {0x1.6d03aae7400f2p+3, 0x1.5f41fb5464aa3p+16, 0.4024},
    {-0x1.b2bcf63d45108p+1, 0x1.1261d1cf88349p-5, -0.2183},
    {0x1.b3a13bcff1a00p+0, 0x1.5eebdc3208412p+2, -0.2478},
    {0x1.bdd2c9338487cp+3, 0x1.124c3f86c654ap+20, -0.3092},
    {-0x1.0710e5c97ef1ep+4, 0x1.36c79c2596f5cp-24, -0.3361},
    {-0x1.f5fea529db550p+2, 0x1.9b47e57d365bfp-12, 0.0518},
    {-0x1.f686bc5b6a310p+2, 0x1.97e0f6ecb1d3dp-12, -0.1106},
    {-0x1.6412a40449735p+3, 0x1.ed70fd5b6b597p-17, -0.0530},
    {0x1.239effa5afc6ap+3, 0x1.1b8f5068ca8b7p+13, -0.2107},
    {-0x1.2b33534917070p+2, 0x1.3193938b91f82p-7, -0.3126},
    {0x1.da598bbdbd3c8p+2, 0x1.9dd0dbfeb8afcp+10, 0.3232},
    {0x1.605f57ffcd640p+3, 0x1.d93e21f860f3ap+15, -0.3400},
    {-0x1.86f9d3848feb8p+1, 0x1.823905a276974p-5, 0.0648},
    {0x1.a81182080bfb0p+2, 0x1.7941495a29954p+9, 0.1493},
    {-0x1.81c31a47d3ce0p+0, 0x1.c5d5fe579b32ep-3, -0.4974},
    {-0x1.2f4d215c4ad4ap+4, 0x1.923517aa50779p-28, 0.0336},
    {-0x1.3b15b16785398p+4, 0x1.81280b3ea71b7p-29, -0.2073},
    {0x1.b29bca3c82128p+3, 0x1.8268e5a88a182p+19, -0.4952},
    {-0x1.5d9a588445cd8p+2, 0x1.160d662e9662cp-8, 0.3127},
    {0x1.6e038ad5c6330p+1, 0x1.173d7444d9e3cp+4, 0.0174},
    {-0x1.d7233f4011c62p+2, 0x1.4d0ae18346e32p-11, 0.2431},
    {-0x1.8f593e15d1078p+2, 0x1.ff3be45669db2p-10, -0.0201},
    {0x1.17f1f7a5f8ee2p+3, 0x1.89be32a2eed1bp+12, -0.0369},
    {0x1.1407f4452ebb0p+0, 0x1.784232ad0f709p+1, -0.3364},
    {0x1.18174e62202f8p+4, 0x1.3192a0653d482p+25, -0.4886},
    {0x1.1068a91c464e0p+0, 0x1.72f8e54604256p+1, -0.2402},
    {0x1.3ca86013ab2a0p+2, 0x1.19b910853fba6p+7, 0.0236},
    {0x1.8de6dc53116b8p+3, 0x1.ead594fd0e256p+17, -0.0223},
    {0x1.939a98c2a43ecp+3, 0x1.25495679ba95dp+18, -0.4592},
    {0x1.6a802677aa29ep+3, 0x1.44b889cc0df2dp+16, -0.3845},
    {0x1.c76a36b133d60p+3, 0x1.722a49e5a2900p+20, -0.1494},
    {-0x1.373e0909955c8p+1, 0x1.68078226c4179p-4, -0.3592},
    {0x1.1d772688ce7e4p+2, 0x1.5a1668a3e6ec9p+6, -0.3435},
    {-0x1.2bf6b9a5d0a11p+4, 0x1.ef7f6e0a274c0p-28, 0.2979},
    {0x1.98b8d2cad5680p-1, 0x1.1c6191e7bcdfbp+1, -0.4630},
    {-0x1.1d64c30ddef6ep+4, 0x1.33f091ab16d2ap-26, -0.3937},
    {-0x1.9ae5815cd1d28p+1, 0x1.4a8f0a28655d7p-5, -0.1087},
    {-0x1.14146b9fbbb08p+3, 0x1.77a0a6704faaap-13, 0.2781},
    {0x1.6ee2b7a02b8a0p+3, 0x1.746935681a34dp+16, -0.2564},
    {0x1.1f3e4bcf7456cp+3, 0x1.ee9bae356768ap+12, 0.3436},
    {0x1.c6ae258fbfac4p+2, 0x1.30524de297213p+10, -0.4915},
    {-0x1.1389f4229691fp+3, 0x1.7e07d64e78707p-13, 0.3897},
    {-0x1.9521ee605f4c7p+3, 0x1.aa0f8bd027a10p-19, -0.3829},
    {-0x1.390c7f9551b5ap+3, 0x1.d93e43f334480p-15, -0.2340},
    {0x1.808044dcdcde8p+3, 0x1.42e59e133d8adp+17, 0.4479},
    {-0x1.2509152f9140fp+4, 0x1.7e014b7cc871dp-27, -0.4741},
    {0x1.4a132bb4e3e10p+2, 0x1.5b6e70fe8a963p+7, 0.1851},
    {0x1.302be66fc7ee4p+2, 0x1.cf93de36e0f04p+6, -0.2784},
    {-0x1.008202bf6fc3cp+4, 0x1.d43bfd1063073p-24, 0.0845},
    {0x1.4f41d3c631938p+3, 0x1.1534563f38486p+15, -0.1461},
    {0x1.18f2ccfac87c2p+4, 0x1.4264f3460d5c7p+25, -0.0547},
    {-0x1.c17161d244a1ap+3, 0x1.aabdbca47a135p-21, -0.3041},
    {-0x1.f90a7ca683c70p+3, 0x1.2c600f0121983p-23, 0.2310},
    {0x1.989681fa0aef8p+3, 0x1.56b72c670be91p+18, -0.1667},
    {-0x1.bb25e2537c674p+2, 0x1.01df2498cbc7fp-10, -0.0277},
    {-0x1.0349388065b80p-14, 0x1.fff7e5c6a5ba8p-1, -0.2309},
    {0x1.13a13b19b55e2p-8, 0x1.011435d24e2f6p+0, -0.2877},
    {0x1.6e9e90cd554e2p-8, 0x1.016fa5932fe98p+0, 0.4469},
    {-0x1.4bf5780a85c4cp-9, 0x1.feb4760de34acp-1, -0.1839},
    {-0x1.d98f5900eeaeep-8, 0x1.fc504b35d55e9p-1, -0.1177},
    {-0x1.1a5f90ae4f4e8p-9, 0x1.fee5ee3eaeba3p-1, 0.1748},
    {0x1.8159793717f78p-10, 0x1.006068810603dp+0, -0.4463},
    {0x1.eb71892945120p-9, 0x1.00f62ed7efac3p+0, -0.3306},
    {0x1.2be6ddc88c07cp-9, 0x1.00961f621bec4p+0, 0.0050},
    {0x1.ff4b9c2ab7b66p-8, 0x1.02014b8839a6bp+0, -0.3066},
    {-0x1.6d80e2dd9bdc0p-12, 0x1.ffd251ed6d8f0p-1, -0.1419},
    {0x1.1edf3a5775349p-7, 0x1.024043451e54bp+0, 0.0799},
    {-0x1.05360e3642460p-9, 0x1.fefb0c8847716p-1, 0.2199},
    {-0x1.19bb46d265220p-7, 0x1.fb9de78b6ce6fp-1, -0.3845},
    {0x1.1095e7a926f2ap-8, 0x1.0111273aab08bp+0, 0.2704},
    {-0x1.4fd5fef1f4e97p-8, 0x1.fd620bd377a70p-1, -0.2508},
    {0x1.5bd9b418e2dcap-8, 0x1.015cc6733b39fp+0, 0.2037},
    {0x1.2e9b84c1daa80p-8, 0x1.012f4ea4f5049p+0, 0.2286},
    {0x1.f013abb067ab6p-8, 0x1.01f1f588dc091p+0, -0.0131},
    {0x1.0fe0356240b19p-7, 0x1.0222037d63ec4p+0, 0.2459},
    {-0x1.6f3e84a44bbdcp+9, 0x0.00000000051fbp-1022, -0.1986},
    {-0x1.7180c19b3937cp+9, 0x0.00000000000e5p-1022, 0.1011},
    {-0x1.6ac0337e7293dp+9, 0x0.000000a00fb11p-1022, 0.1962},
    {-0x1.6bafb9b660e1dp+9, 0x0.00000018a3391p-1022, 0.3544},
    {-0x1.69e115d54a78ep+9, 0x0.00000392bfb2cp-1022, -0.4989},
    {-0x1.661a6a07fb89bp+9, 0x0.001a96349ca98p-1022, 0.0281},
    {-0x1.6df9822de63e2p+9, 0x0.0000000040e94p-1022, 0.3592},
    {-0x1.6518861c39ec2p+9, 0x0.00c75fa781f61p-1022, 0.4858},
    {-0x1.68da68d391a0bp+9, 0x0.00001bd1017d5p-1022, 0.2290},
    {-0x1.695ab21f34c22p+9, 0x0.00000a35d189cp-1022, 0.4047},
    {-0x1.746102a5b7bb1p+9, 0x0.0000000000001p-1022, -0.2723},
    {-0x1.68b22414da7f3p+9, 0x0.00002619b3baep-1022, 0.0294},
    {-0x1.725cec9337072p+9, 0x0.0000000000029p-1022, 0.0217},
    {-0x1.64a5a55921385p+9, 0x0.01e925dcb5ddbp-1022, -0.3906},
    {-0x1.747e996ae8632p+9, 0x0.0000000000001p-1022, -0.4225},
    {-0x1.6531d0aca44e0p+9, 0x0.00a3a0a5c954fp-1022, 0.4812},
    {-0x1.67db295d5dde5p+9, 0x0.0000cc553f791p-1022, 0.3859},
    {-0x1.6a7c9b037a2e9p+9, 0x0.0000010f6a259p-1022, -0.4041},
    {-0x1.6804913055e40p+9, 0x0.000093dc5169ep-1022, 0.1202},
    {-0x1.635c379060dc1p+9, 0x0.190e92bd33136p-1022, 0.2167},
    {-0x1.63a1918b19a59p+9, 0x0.0e9353c914c08p-1022, 0.0755},
    {-0x1.6390a1eb6de61p+9, 0x0.10a32e2e86da5p-1022, 0.4547},
    {-0x1.623a886868f5ap+9, 0x0.f0e1d9c9ac167p-1022, -0.3124},
    {-0x1.6942d810c1a90p+9, 0x0.00000c4d37dd1p-1022, -0.4148},
    {-0x1.6251924557400p+9, 0x0.c9343da2ea97bp-1022, 0.0292},
    {-0x1.6f9a644b264f1p+9, 0x0.00000000027fep-1022, 0.2522},
    {-0x1.6f1cb1b2cdacfp+9, 0x0.0000000006ac6p-1022, 0.3381},
    {-0x1.718acd4427e23p+9, 0x0.00000000000d4p-1022, -0.1915},
    {-0x1.67cbc436fde64p+9, 0x0.0000e672b201cp-1022, -0.2243},
    {-0x1.650297a1935c6p+9, 0x0.00eca2b07c4d6p-1022, 0.1604},
    {0x1.5e3c8ebafc388p+9, 0x1.7bcb7200b46cep+1010, 0.2104},
    {0x1.622de0d580249p+9, 0x1.ece962f176018p+1021, -0.2675},
    {0x1.5ea7560ebfbacp+9, 0x1.b554e254811e7p+1011, -0.4334},
    {0x1.6198cacb96669p+9, 0x1.3395058443fc8p+1020, -0.0269},
    {0x1.6051d2822d3ffp+9, 0x1.7e8eb1b6ac54ep+1016, 0.0121},
    {0x1.61958c20e2236p+9, 0x1.2be2077c8ae6cp+1020, 0.0012},
    {0x1.60ea74418b322p+9, 0x1.3b241f6017f26p+1018, 0.1423},
    {0x1.6127e3c4bd393p+9, 0x1.fd46216202883p+1018, 0.2132},
    {0x1.606c26ed95eeep+9, 0x1.d5eda0a3002d7p+1016, 0.4851},
    {0x1.5f6efc5f42c2cp+9, 0x1.041611ad6c75bp+1014, 0.1631},
    {-0x1.bb9d3beb8c86bp-4, 0x1.cb720dcef9069p-1, 0.0833},
    {-0x1.6dfb516f20bbfp-4, 0x1.d43c8eacaa1d6p-1, 0.2742},
    {-0x1.205966f2b4f12p-4, 0x1.dd321f301b460p-1, 0.3362},
    {-0x1.a56ef8ec924ccp-5, 0x1.e653924676d76p-1, -0.1702},
    {-0x1.0a2b23f3bab73p-5, 0x1.efa1bee615a27p-1, 0.4899},
    {-0x1.bb9d3beb8c86bp-7, 0x1.f91d802243c89p-1, -0.0334},
    {0x1.62e42fefa39efp-8, 0x1.0163da9fb3335p+0, 0.4270},
    {0x1.8f40b5ed9812dp-6, 0x1.0650a0e3c1f89p+0, -0.3423},
    {0x1.62e42fefa39efp-5, 0x1.0b5586cf9890fp+0, 0.3783},
    {0x1.fe2804e87b348p-5, 0x1.1073028d7233ep+0, 0.2333},
    {0x1.4cb5ecf0a9650p-4, 0x1.15a98c8a58e51p+0, 0.1251},
    {0x1.9a57d76d152fdp-4, 0x1.1af99f8138a1cp+0, 0.3997},
    {0x1.b7cdfd9d7bdbbp-34, 0x1.000000006df38p+0, -0.0372},
    {-0x1.b7cdfd9d7bdbbp-34, 0x1.ffffffff24190p-1, 0.0746},
    {0x1.0000000000000p-53, 0x1.0000000000001p+0, -0.5000},
    {-0x1.0000000000000p-53, 0x1.fffffffffffffp-1, 0.0000},
    {0x1.0000000000000p-1, 0x1.a61298e1e069cp+0, -0.2131},
    {-0x1.0000000000000p-1, 0x1.368b2fc6f960ap-1, -0.0059},
    {0x1.0000000000000p+0, 0x1.5bf0a8b145769p+1, 0.3255},
    {-0x1.0000000000000p+0, 0x1.78b56362cef38p-2, -0.2239},
    {0x1.4000000000000p+3, 0x1.5829dcf950560p+14, -0.3788},
    {0x1.9000000000000p+6, 0x1.3494a9b171bf5p+144, -0.3252},
    {-0x1.9000000000000p+6, 0x1.a8c1f14e2af5dp-145, -0.3155},
    {0x1.0000000000000p+9, 0x1.9476504ba852ep+738, 0.4220},
    {-0x1.0000000000000p+9, 0x1.44109edb20931p-739, 0.3524},
    {0x1.6280000000000p+9, 0x1.d422d2be5dc9bp+1022, -0.1960},
    {-0x1.6280000000000p+9, 0x0.8bfe55de02338p-1022, 0.2791},
    {-0x1.7200000000000p+9, 0x0.0000000000055p-1022, -0.2190},
};
#define N_REFS (sizeof refs / sizeof refs[0])

/* The spacing of doubles at |y| (of the subnormals below 2^-1022). */
static double ulp_at(double y)
{
    int e;
    frexp(fabs(y), &e);
    return e - 53 < -1074 ? 0x1p-1074 : ldexp(1, e - 53);
}

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Within 0.511 ulp of e^x, the authors' bound for the algorithm without
 * FMA (0.5 + 1.11/128 + the polynomial's 2^-13): the error is its
 * distance from near in ulps less frac. */
START_TEST(test_exp_accuracy)
{
    double worst = 0;
    for (size_t i = 0; i < N_REFS; i++) {
        double got = mkba_exp(refs[i].x), u = ulp_at(refs[i].near);
        double err = fabs((got - refs[i].near) / u - refs[i].frac);
        ck_assert_msg(err < 0.511, "exp(%a) = %a, want %a %+.4f ulp: %.4f ulp off", refs[i].x,
                      got, refs[i].near, refs[i].frac, err);
        worst = err > worst ? err : worst;
    }
    ck_assert(worst > 0.25); /* the table has arguments that test the bound */
}
END_TEST

/* Arguments of every size, half with the exponent uniform from 2^-60 to
 * 2^9 (either sign, any mantissa: tiny, overflow and underflow included),
 * half in the lognormal draws' range [-20, 20]. */
static double any_arg(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    uint64_t b = *s;
    if (b & 1)
        return ((double)(b >> 11) * 0x1p-53 - 0.5) * 40;
    double m = 1 + (double)(b >> 12) * 0x1p-52; /* [1, 2) */
    return ((b & 2) ? -1 : 1) * ldexp(m, -60 + (int)((b >> 2) % 70));
}

/* Two million arguments: never more than 1 ulp from the C library's exp
 * (glibc's without FMA gives the same numbers; the one with FMA differs
 * in the last bit for some 1 in 2,500), the array loop the same bits as
 * the scalar function, both with the AVX2 code and the portable. */
START_TEST(test_exp_like_libm)
{
    enum { B = 1000, ROUNDS = 2000 };
    static double x[B], y[B];
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    size_t differ = 0, far = 0, loop_differs = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < B; i++)
            x[i] = any_arg(&s);
        mkba_cpu_limit(r % 2 ? MKBA_VEC_AVX512 : MKBA_VEC_PORTABLE);
        mkba_exp_n(x, y, B);
        for (int i = 0; i < B; i++) {
            double want = exp(x[i]), got = mkba_exp(x[i]);
            int64_t d = (int64_t)(bits_of(got) - bits_of(want));
            differ += d != 0;
            far += d < -1 || d > 1;
            loop_differs += bits_of(y[i]) != bits_of(got);
        }
    }
    mkba_cpu_limit(MKBA_VEC_AVX512);
    ck_assert_msg(far == 0, "%zu results more than 1 ulp from exp()", far);
    ck_assert_msg(differ < (size_t)B * ROUNDS / 500, "%zu results differ from exp()", differ);
    ck_assert_msg(loop_differs == 0, "%zu results of mkba_exp_n differ from mkba_exp",
                  loop_differs);
}
END_TEST

/* Special arguments, exactly: where the common path does not hold. */
START_TEST(test_exp_special)
{
    static const double cases[][2] = {
        {0.0, 1.0},
        {-0.0, 1.0},
        {0x1p-60, 1.0},                  /* |x| < 2^-54: 1 + x */
        {-0x1p-60, 1.0},
        {INFINITY, INFINITY},
        {-INFINITY, 0.0},
        {1000.0, INFINITY},              /* overflow */
        {-1000.0, 0.0},                  /* underflow */
        {0x1.62e42fefa39efp+9, 0x1.fffffffffff2ap+1023}, /* 709.782712893384: the largest finite */
        {0x1.62e42fefa39f0p+9, INFINITY},                /* the next double */
        {-0x1.74910d52d3051p+9, 0x1p-1074},              /* -745.1332191019411: the least subnormal */
        {-0x1.74910d52d3052p+9, 0.0},                    /* the next double down */
        {-0x1.6232bdd7abcd2p+9, 0x1.000000000007cp-1022}, /* -708.39641853226410: near 2^-1022 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got = mkba_exp(cases[i][0]);
        ck_assert_msg(bits_of(got) == bits_of(cases[i][1]), "exp(%a) = %a, want %a", cases[i][0],
                      got, cases[i][1]);
    }
    ck_assert(isnan(mkba_exp(NAN)));
    ck_assert(isnan(mkba_exp(-NAN)));
}
END_TEST

/* The array loop: any length (the tail of a 4-wide loop, several chunks),
 * in place, special arguments anywhere among the others. */
START_TEST(test_exp_n)
{
    enum { N = 1003 };
    static double x[N], y[N];
    static const double odd[] = {INFINITY, -INFINITY, NAN, 1000, -1000, 0, 0x1p-60, -720, 600};
    for (int vec = 0; vec <= 1; vec++) {
        mkba_cpu_limit(vec ? MKBA_VEC_AVX512 : MKBA_VEC_PORTABLE);
        for (size_t n = 0; n <= N; n += n < 20 ? 1 : 331) {
            for (size_t i = 0; i < n; i++)
                x[i] = i % 7 == 3 ? odd[i % 9] : (double)i / 50 - 10;
            memcpy(y, x, n * sizeof *y);
            mkba_exp_n(y, y, n); /* in place */
            for (size_t i = 0; i < n; i++) {
                double want = mkba_exp(x[i]);
                ck_assert_msg(bits_of(y[i]) == bits_of(want) || (isnan(y[i]) && isnan(want)),
                              "n = %zu, i = %zu: exp(%a) = %a, want %a", n, i, x[i], y[i], want);
            }
        }
    }
    mkba_cpu_limit(MKBA_VEC_AVX512);
}
END_TEST

static Suite *exp_suite(void)
{
    Suite *s = suite_create("exp");
    TCase *tc = tcase_create("exp");
    tcase_set_timeout(tc, 300); /* valgrind is slow */
    tcase_add_test(tc, test_exp_accuracy);
    tcase_add_test(tc, test_exp_special);
    tcase_add_test(tc, test_exp_n);
    tcase_add_test(tc, test_exp_like_libm);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(exp_suite());
}
