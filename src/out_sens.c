/* out_sens.c - sensitivity outputs: the tornado and switching values in
 * the terminal report, sens_tornado.csv and sens_switching.csv (and their
 * Dutch _nl variants), and the "sensitivity" object of results.json. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkba/fmt.h"
#include "mkba/out.h"
#include "mkba/sens.h"
#include "out_internal.h"

/* Input i's base value, or NaN (empty in CSV, null in JSON) when it is a
 * parameter derived from a withheld count or mean in the reference (its
 * base case; appraisal.h, disclosure control). */
double out_sens_input_base(const mkba_appraisal *a, size_t i)
{
    const mkba_sens_input *in = &a->sens->inputs[i];
    for (size_t k = 0; k < a->n_params; k++)
        if (strcmp(a->params[k].name, in->name) == 0)
            return mkba_ap_param_withheld(&a->params[k], 0) ? NAN : in->base;
    return in->base;
}

static const char *switch_text(const mkba_sens *s, size_t i, size_t sc, char *buf, size_t size,
                               int nl)
{
    switch (s->switch_status[i * s->n_scenarios + sc]) {
    case MKBA_SWITCH_FOUND:
        mkba_fmt_term_value(buf, size, s->switching[i * s->n_scenarios + sc], nl);
        return buf;
    case MKBA_SWITCH_FLAT:
        return TR("no effect on the NPV");
    case MKBA_SWITCH_NONE:
        break;
    }
    char lo[32], hi[32];
    mkba_fmt_term_value(lo, sizeof lo, s->inputs[i].range_lo, nl);
    mkba_fmt_term_value(hi, sizeof hi, s->inputs[i].range_hi, nl);
    snprintf(buf, size, TR("none in [%s, %s]"), lo, hi);
    return buf;
}

/* The two-way grid: rows input a, columns input b, society's NPV. Texts
 * from the model reach the terminal through out_term_text (T, escape.h). */
static void print_grid(FILE *f, const mkba_appraisal *a, out_term *T, int nl)
{
    const mkba_sens *s = a->sens;
    size_t n = s->grid_steps;
    if (!n)
        return;
    const char *na = s->inputs[s->grid_a].name, *nb = s->inputs[s->grid_b].name;
    for (size_t sc = 1; sc < s->n_scenarios; sc++) {
        fprintf(f, TR("\n  Two-way: society's NPV of %s (%s); rows %s, columns %s\n"),
                out_term_text(T, mkba_fmt_scen_label(a, sc, nl)), out_term_text(T, a->currency),
                out_term_text(T, na), out_term_text(T, nb));
        char buf[32];
        fprintf(f, "  %12s", "");
        for (size_t j = 0; j < n; j++) {
            mkba_fmt_term_value(buf, sizeof buf, s->grid_b_values[j], nl);
            fprintf(f, " %12s", buf);
        }
        fputc('\n', f);
        for (size_t i = 0; i < n; i++) {
            mkba_fmt_term_value(buf, sizeof buf, s->grid_a_values[i], nl);
            fprintf(f, "  %12s", buf);
            for (size_t j = 0; j < n; j++) {
                mkba_fmt_term_amount(buf, sizeof buf, s->grid[(sc * n + i) * n + j], nl);
                fprintf(f, " %12s", buf);
            }
            fputc('\n', f);
        }
    }
}

/* x to 'decimals' decimals (a Sobol index: 3), "n/a" when not finite. */
static void index3(char *buf, size_t size, double x, int decimals, int nl)
{
    if (!isfinite(x)) {
        snprintf(buf, size, "%s", mkba_fmt_na(nl));
        return;
    }
    snprintf(buf, size, "%.*f", decimals, x);
    for (char *p = buf; *p; p++) /* the C locale's point, or the Dutch comma */
        if (*p == '.' || *p == ',')
            *p = nl ? ',' : '.';
}

static void ci(char *buf, size_t size, double lo, double hi, int nl)
{
    char l[32], h[32];
    index3(l, sizeof l, lo, 2, nl);
    index3(h, sizeof h, hi, 2, nl);
    if (isfinite(lo) && isfinite(hi))
        mkba_fmt_join(buf, size, "[", l, ", ", h, "]", (const char *)NULL);
    else
        snprintf(buf, size, "%s", mkba_fmt_na(nl));
}

/* Sobol indices of society's NPV, inputs in tornado order. */
static void print_sobol(FILE *f, const mkba_appraisal *a, out_term *T, int nl)
{
    const mkba_sens *s = a->sens;
    const mkba_sobol *so = s->sobol;
    if (!so)
        return;
    size_t K = s->n_stakeholders, d = so->d;
    for (size_t sc = 1; sc < s->n_scenarios; sc++) {
        size_t out = (sc - 1) * (K + 1) + K;
        fprintf(f, TR("\n  Sobol indices of society's NPV: %s (%zu model evaluations)\n"),
                out_term_text(T, mkba_fmt_scen_label(a, sc, nl)), so->evaluations);
        fprintf(f, "  %-28s %8s %16s %8s %16s\n", TR("Input"), TR("First"), TR("95% CI"),
                TR("Total"), TR("95% CI"));
        for (size_t r = 0; r < d; r++) {
            size_t i = s->order[sc * s->n_inputs + r];
            char c1[40], c2[40], s1[32], st[32];
            ci(c1, sizeof c1, so->first_lo[out * d + i], so->first_hi[out * d + i], nl);
            ci(c2, sizeof c2, so->total_lo[out * d + i], so->total_hi[out * d + i], nl);
            index3(s1, sizeof s1, so->first[out * d + i], 3, nl);
            index3(st, sizeof st, so->total[out * d + i], 3, nl);
            fprintf(f, "  %-28.28s %8s %16s %8s %16s\n", out_term_text(T, s->inputs[i].name), s1,
                    c1, st, c2);
        }
    }
    fprintf(f, TR("\n  First order: the share of the NPV's variance due to the input alone;\n"
               "  total: with all its interactions.%s\n"),
            s->sobol_correlated ? TR(" The indices assume independent inputs; the\n"
                                     "  model's [correlations] are not used for them.")
                                : "");
}

void mkba_out_print_sens(FILE *f, const mkba_appraisal *a, int nl)
{
    const mkba_sens *s = a->sens;
    if (!s)
        return;
    size_t K = s->n_stakeholders;
    out_term T = {0};
    fprintf(f, TR("\nSensitivity: each input at its P10 and P90, the others at base\n"));
    for (size_t sc = 1; sc < s->n_scenarios; sc++) {
        char base[32];
        mkba_fmt_term_amount(base, sizeof base, s->npv_base[sc * (K + 1) + K], nl);
        fprintf(f, TR("\n  %s vs %s (society's NPV at base %s %s)\n"),
                out_term_text(&T, mkba_fmt_scen_label(a, sc, nl)),
                out_term_text(&T, mkba_fmt_scen_label(a, 0, nl)), out_term_text(&T, a->currency), base);
        fprintf(f, "  %-28s %10s %10s %12s %12s %11s  %s\n", TR("Input (largest swing first)"),
                "P10", "P90", TR("NPV at P10"), TR("NPV at P90"), TR("Swing"),
                TR("Break-even value"));
        for (size_t r = 0; r < s->n_inputs; r++) {
            size_t i = s->order[sc * s->n_inputs + r];
            const mkba_sens_input *in = &s->inputs[i];
            double npv_l = s->npv_lo[mkba_sens_idx(s, i, sc, K)];
            double nh = s->npv_hi[mkba_sens_idx(s, i, sc, K)];
            char lo[32], hi[32], a1[32], a2[32], sw[32], be[80];
            mkba_fmt_term_value(lo, sizeof lo, in->lo, nl);
            mkba_fmt_term_value(hi, sizeof hi, in->hi, nl);
            mkba_fmt_term_amount(a1, sizeof a1, npv_l, nl);
            mkba_fmt_term_amount(a2, sizeof a2, nh, nl);
            mkba_fmt_term_amount(sw, sizeof sw, fabs(nh - npv_l), nl);
            fprintf(f, "  %-28.28s %10s %10s %12s %12s %11s  %s\n", out_term_text(&T, in->name),
                    lo, hi, a1, a2, sw, switch_text(s, i, sc, be, sizeof be, nl));
        }
    }
    fprintf(f, TR("\n  Break-even value: the input value at which society's NPV is zero, the\n"
               "  others at base. Per stakeholder: swings in sens_tornado.csv, break-even\n"
               "  values in sens_switching.csv (with --out).\n"));
    print_grid(f, a, &T, nl);
    print_sobol(f, a, &T, nl);
    out_term_free(&T);
}


const char *out_sens_status_name(int st)
{
    return st == MKBA_SWITCH_FOUND ? "found" : st == MKBA_SWITCH_FLAT ? "no effect" : "none in range";
}

static cJSON *num_or_null(double x)
{
    return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull();
}

/* "sobol": {base_sample, seed, evaluations}: what reproduces the indices
 * (the seed as text, like the Monte Carlo's: a 64-bit integer). */
static int sobol_provenance_json(cJSON *o, const mkba_sobol *so)
{
    cJSON *p = cJSON_AddObjectToObject(o, "sobol");
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)so->seed);
    return p && cJSON_AddNumberToObject(p, "base_sample", (double)so->n) &&
           cJSON_AddStringToObject(p, "seed", seed) &&
           cJSON_AddNumberToObject(p, "evaluations", (double)so->evaluations);
}

int mkba_out_sens_json(cJSON *root, const mkba_appraisal *a)
{
    const mkba_sens *s = a->sens;
    size_t K = s->n_stakeholders;
    cJSON *o = cJSON_AddObjectToObject(root, "sensitivity");
    cJSON *arr = o ? cJSON_AddArrayToObject(o, "scenarios") : NULL;
    if (!arr)
        return 0;
    for (size_t sc = 1; sc < s->n_scenarios; sc++) {
        cJSON *so = cJSON_CreateObject();
        if (!so || !cJSON_AddItemToArray(arr, so))
            return cJSON_Delete(so), 0;
        cJSON *inputs = cJSON_AddArrayToObject(so, "inputs");
        if (!cJSON_AddStringToObject(so, "scenario", a->scenarios[sc].name) || !inputs)
            return 0;
        for (size_t r = 0; r < s->n_inputs; r++) {
            size_t i = s->order[sc * s->n_inputs + r];
            cJSON *in = cJSON_CreateObject();
            if (!in || !cJSON_AddItemToArray(inputs, in))
                return cJSON_Delete(in), 0;
            double nl = s->npv_lo[mkba_sens_idx(s, i, sc, K)];
            double nh = s->npv_hi[mkba_sens_idx(s, i, sc, K)];
            const char *keys[] = {"base", "p10", "p90", "npv_at_p10", "npv_at_p90", "swing",
                                  "switching_value"};
            double vals[] = {out_sens_input_base(a, i), s->inputs[i].lo, s->inputs[i].hi, nl, nh,
                             fabs(nh - nl), s->switching[i * s->n_scenarios + sc]};
            if (!cJSON_AddStringToObject(in, "input", s->inputs[i].name))
                return 0;
            for (int k = 0; k < 7; k++) {
                cJSON *v = num_or_null(vals[k]);
                if (!v || !cJSON_AddItemToObject(in, keys[k], v))
                    return cJSON_Delete(v), 0;
            }
            if (!cJSON_AddStringToObject(in, "switching_status",
                                         out_sens_status_name(s->switch_status[i * s->n_scenarios + sc])))
                return 0;
            if (s->sobol) {
                size_t d = s->sobol->d, out = (sc - 1) * (K + 1) + K;
                const char *sk[] = {"sobol_first", "sobol_first_lo", "sobol_first_hi",
                                    "sobol_total", "sobol_total_lo", "sobol_total_hi"};
                const double *sv[] = {s->sobol->first,   s->sobol->first_lo, s->sobol->first_hi,
                                      s->sobol->total,   s->sobol->total_lo, s->sobol->total_hi};
                for (int k = 0; k < 6; k++) {
                    cJSON *v = num_or_null(sv[k][out * d + i]);
                    if (!v || !cJSON_AddItemToObject(in, sk[k], v))
                        return cJSON_Delete(v), 0;
                }
            }
        }
    }
    if (s->sobol && !cJSON_AddBoolToObject(o, "sobol_assumes_independent_inputs", 1))
        return 0;
    return !s->sobol || sobol_provenance_json(o, s->sobol);
}
