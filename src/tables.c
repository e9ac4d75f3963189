/* tables.c - the list of a run's tables (tables.h): each with its file
 * stem, its builder and when a run has it, in the order they are written. */
#include "mkba/tables.h"

#include <string.h>

#include "mkba/sens.h"

static int always(const mkba_appraisal *a)
{
    (void)a;
    return 1;
}
static int has_ps(const mkba_appraisal *a) { return a->ps != NULL; }
static int has_mc(const mkba_appraisal *a) { return a->mc != NULL; }
static int has_sens(const mkba_appraisal *a) { return a->sens != NULL; }
static int has_sobol(const mkba_appraisal *a) { return a->sens && a->sens->sobol; }
static int has_grid(const mkba_appraisal *a) { return a->sens && a->sens->grid_steps > 0; }
static int has_sub(const mkba_appraisal *a) { return a->subgroups != NULL; }
static int has_projects(const mkba_appraisal *a) { return a->n_scenarios > 1; }
static int has_two_projects(const mkba_appraisal *a) { return a->n_scenarios > 2; }

static const struct {
    const char *name;                                   /* file stem */
    void (*build)(mkba_table *t, const mkba_appraisal *a);
    int (*present)(const mkba_appraisal *a);            /* whether this run has it */
} TABLES[] = {
    {"effects", mkba_tables_effects, always},
    {"summary", mkba_tables_summary, always},
    {"items", mkba_tables_items, always},
    {"cashflows", mkba_tables_cashflows, always},
    {"stakeholder_flows", mkba_tables_stakeholder_flows, always},
    {"alternatives", mkba_tables_alternatives, has_projects},
    {"pairwise", mkba_tables_pairwise, has_two_projects},
    {"balance", mkba_tables_balance, has_ps},
    {"propensity", mkba_tables_propensity, has_ps},
    {"overlap", mkba_tables_overlap, has_ps},
    {"mc_voi", mkba_tables_mc_voi, has_mc},
    {"mc_summary", mkba_tables_mc_summary, has_mc},
    {"mc_items", mkba_tables_mc_items, has_mc},
    {"mc_uncertain", mkba_tables_mc_uncertain, has_mc},
    {"mc_effects", mkba_tables_mc_effects, has_mc},
    {"sens_sobol", mkba_tables_sobol, has_sobol},
    {"sens_tornado", mkba_tables_tornado, has_sens},
    {"sens_switching", mkba_tables_switching, has_sens},
    {"sens_twoway", mkba_tables_twoway, has_grid},
    {"subgroups", mkba_tables_subgroups, has_sub},
};
#define N_TABLES (sizeof TABLES / sizeof TABLES[0])

size_t mkba_tables_count(void)
{
    return N_TABLES;
}

const char *mkba_tables_name(size_t i)
{
    return i < N_TABLES ? TABLES[i].name : "";
}

mkba_table *mkba_tables_build(const mkba_appraisal *a, size_t i)
{
    if (i >= N_TABLES || !TABLES[i].present(a))
        return NULL;
    mkba_table *t = mkba_table_new(TABLES[i].name, NULL);
    TABLES[i].build(t, a);
    return t;
}

mkba_table *mkba_tables_build_named(const mkba_appraisal *a, const char *name)
{
    for (size_t i = 0; i < N_TABLES; i++)
        if (strcmp(TABLES[i].name, name) == 0)
            return mkba_tables_build(a, i);
    return NULL;
}
