/* cohort.h - persons of the pilot and control groups, read from a cohort
 * CSV (one file with a group column, or one file per group) and stored by
 * column: one double array per mapped variable (NaN = missing) and one
 * group vector (1 = pilot, 0 = control), so estimators and the bootstrap
 * run over contiguous arrays.
 *
 * Only the columns the model maps are kept. Identifiers are read only to
 * check that no person appears twice; they are never stored (only keyed
 * hashes of them, while reading) or echoed.
 * A cohort owns its arrays; pointers it returns are borrowed and stay valid
 * until mkba_cohort_free(). */
#ifndef MKBA_COHORT_H
#define MKBA_COHORT_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/csv.h"
#include "mkba/error.h"

#define MKBA_PILOT 1
#define MKBA_CONTROL 0

typedef enum {
    MKBA_VAR_NUMBER = 0,  /* any finite number */
    MKBA_VAR_NONNEG,      /* >= 0: hours, months, costs, days */
    MKBA_VAR_BINARY,      /* 0 or 1 */
    MKBA_VAR_CATEGORY     /* text levels, stored as codes 0..L-1 (first seen = 0) */
} mkba_var_type;

typedef enum {
    MKBA_MISSING_EXCLUDE = 0, /* missing values are left out per outcome and counted */
    MKBA_MISSING_ERROR        /* any missing value in a mapped column is an error */
} mkba_missing_policy;

typedef struct mkba_cohort_var {
    const char *name;      /* the model's name for it, e.g. "outflow_work" */
    const char *column;    /* header name in the CSV, e.g. "uitstroom_werk" */
    mkba_var_type type;
    int optional;          /* 1: a missing column is allowed (variable all-missing) */
} mkba_cohort_var;

/* A declared range of a numeric variable (the model's min / max keys):
 * a value outside it is an error naming the line and column. */
typedef struct mkba_cohort_range {
    int has_min, has_max;  /* 1: the bound applies */
    double min, max;
} mkba_cohort_range;

typedef struct mkba_cohort_spec {
    const char *file;          /* one file holding both groups ... */
    const char *pilot_file;    /* ... or these two (file == NULL) */
    const char *control_file;
    const char *group_column;  /* one-file form: column holding the group */
    const char *pilot_value;   /* value of group_column meaning pilot, e.g. "pilot" */
    const char *control_value; /* e.g. "regulier" */
    const char *id_column;     /* optional (NULL): checked for duplicates only */
    mkba_csv_dialect dialect;  /* delimiter 0 / decimal_comma -1 = detect */
    mkba_missing_policy missing;
    size_t n_vars;
    const mkba_cohort_var *vars;
    const mkba_cohort_range *ranges; /* [n_vars] declared ranges, or NULL for none */
} mkba_cohort_spec;

typedef struct mkba_cohort mkba_cohort;

/* Read the cohort described by 'spec'. Returns NULL and fills *err on
 * failure, naming file, line and column: a mapped column not in the header
 * ("missing column 'x' (the first line has 'X 1', close to it; it names
 * a, b; 3 other columns not shown)": only cells that name a column of the
 * model or nearly do are quoted, as the first line may be a record; when
 * it names none, "... the header row may be missing ..." and the model's
 * columns), text in a numeric column,
 * a value out of range for its type or its declared range (spec->ranges),
 * an unknown group value, a duplicate id (the same id in both groups is
 * named as such; the id itself is never shown), a missing value under
 * MKBA_MISSING_ERROR, a CSV syntax error.
 *
 * Header names are trimmed and matched exactly, else by a unique match
 * ignoring case. Group values are trimmed and compared ignoring case; an
 * empty one is an error. Category levels are trimmed and case-sensitive;
 * "", NA, N/A and "." are missing in every column. An optional variable
 * whose column is absent is all-missing (counted as missing, never an
 * error, whatever the policy). Two-file form: the pilot file is read first
 * (its rows come first), each file with its own detected dialect; the
 * cohort's dialect is the pilot file's. With id_column, an empty id is an
 * error too.
 *
 * Citizen service numbers. A file with a column (mapped or not) other than
 * id_column that holds Dutch citizen service numbers is refused: at least 3
 * of its non-missing values, and at least 90% of them, pass
 * mkba_cohort_bsn_like. The error names the file and column ("column 'x':
 * looks like Dutch citizen service numbers (BSN: ...); mkba refuses to read
 * it. ... ([cohort] id_column = x) if it is the id"), never a value; and a
 * BSN-like value is never quoted in any other message either.
 *
 * No message quotes a record: a cell is quoted only when it is not from
 * id_column, not BSN-like, and its line's cells do not seem shifted (two
 * or more cells that do not fit their columns; then the message names the
 * line only: "the cells of this line seem shifted ..."). The rules are in
 * cohort.c's file comment. */
mkba_cohort *mkba_cohort_read(const mkba_cohort_spec *spec, mkba_error *err);

/* 1 when 's' (surrounding blanks ignored) looks like a Dutch citizen
 * service number: 9 digits d1..d9 with 9*d1 + 8*d2 + ... + 2*d8 - d9 a
 * non-zero multiple of 11 (the 11-test), or 8 digits that pass it with a
 * leading 0 put back (a spreadsheet drops it); '.', '-' or ' ' between two
 * digits are allowed (1234.56.782). 0 otherwise, and for NULL. */
int mkba_cohort_bsn_like(const char *s);

/* For the tests: keep only the low 'bits' bits (1..64; anything else: 64,
 * the default) of the ids' hashes, so that different ids share hashes and
 * the check that tells them apart is run. Not thread-safe. */
void mkba_cohort_id_hash_bits(int bits);

/* Build a cohort from arrays (tests, synthetic data). Copies everything.
 * 'columns[v]' has n values (NaN = missing); categorical vars get levels
 * "0".."L-1" named by their codes (L = largest code + 1). Returns NULL when
 * the input is invalid: a group value other than 0/1, an infinite value, a
 * value outside its type (negative NONNEG, BINARY not 0/1, CATEGORY not a
 * whole number in 0..1e6), a variable without a name, or a NULL array.
 * A NULL 'column' in vars[v] means the column is named like the variable. */
mkba_cohort *mkba_cohort_from_arrays(size_t n, const uint8_t *group,
                                     size_t n_vars, const mkba_cohort_var *vars,
                                     const double *const *columns);

/* Subgroups (an outcome's `by`): add a variable named 'name' holding
 * var's values where variable 'by' (category or binary) equals 'code' and
 * NaN elsewhere (a person with no value of 'by' is in no subgroup), of
 * var's type (and levels). Every estimator then estimates the subgroup's
 * effect unchanged, the bootstrap too. Its mkba_cohort_missing counts the
 * persons outside the subgroup as missing: callers correct for them.
 * Returns the new variable's index, or -1 (nothing added) for a NULL
 * cohort or name, var or by out of range, or by not category or binary.
 * Pointers from mkba_cohort_column stay valid. */
long mkba_cohort_add_masked(mkba_cohort *c, size_t var, size_t by, double code,
                            const char *name);

void mkba_cohort_free(mkba_cohort *c); /* NULL is a no-op */

size_t mkba_cohort_size(const mkba_cohort *c);                 /* persons */
size_t mkba_cohort_count(const mkba_cohort *c, int group);     /* persons in group */
size_t mkba_cohort_nvars(const mkba_cohort *c);
const char *mkba_cohort_var_name(const mkba_cohort *c, size_t v);
mkba_var_type mkba_cohort_var_type(const mkba_cohort *c, size_t v);
long mkba_cohort_find(const mkba_cohort *c, const char *name); /* index or -1 */
const uint8_t *mkba_cohort_group(const mkba_cohort *c);        /* [size] */
const double *mkba_cohort_column(const mkba_cohort *c, size_t v); /* [size] */
size_t mkba_cohort_missing(const mkba_cohort *c, size_t v, int group);
/* Categorical levels: returns the count and sets *names (borrowed). */
size_t mkba_cohort_levels(const mkba_cohort *c, size_t v, const char *const **names);
/* Files and dialect actually read (for provenance). */
const mkba_csv_dialect *mkba_cohort_dialect(const mkba_cohort *c);
/* The hex SHA-256 of file 'file' as it was read (0: the one file, or the
 * pilot file; 1: the control file), from the same bytes the persons were
 * read from; "" for a file not read (and for a cohort from arrays). */
const char *mkba_cohort_sha256(const mkba_cohort *c, size_t file);

#endif
