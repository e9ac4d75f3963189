/* pscore_stub.c - TEMPORARY, for the psout branch only: weak stand-ins for
 * the two functions of pscore.h that the outputs need (the lead's
 * src/pscore.c defines the real ones, which win over these at link time).
 * DELETE THIS FILE when merging src/pscore.c. */
#include <stdlib.h>

#include "mkba/pscore.h"

__attribute__((weak)) const char *mkba_estimand_name(mkba_estimand e)
{
    return e == MKBA_ESTIMAND_ATE ? "ate" : "att";
}

__attribute__((weak)) void mkba_ps_diag_free(mkba_ps_diag *d)
{
    if (!d)
        return;
    for (size_t j = 0; d->name && j < d->n_coef; j++)
        free(d->name[j]);
    free(d->name);
    free(d->coef);
    free(d->se);
    free(d->n_rare);
    free(d->smd_before);
    free(d->smd_after);
    free(d);
}
