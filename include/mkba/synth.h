/* synth.h - synthetic cohorts: a spec file (INI) describes groups and
 * columns, and mkba_synth_write draws a cohort CSV from it.
 *
 * The example data of mkba are made this way, because the individual data
 * of the pilots they mimic are not public. The spec format (sections
 * [synth], [group.NAME], [column.NAME]; generator types id, group,
 * category, bernoulli, normal, lognormal, gamma, poisson, months_if) is
 * documented in data/README.md and at the top of data/almere-synth.ini.
 *
 * Links make a column depend on columns above it. 'depends = A, B' with
 * 'slope = a, b' and 'center = cA, cB' (default 0) add a (A - cA) +
 * b (B - cB); 'shift_by = C' (a category column) with 'shift = one number
 * per level of C' adds the number of the person's level. On a normal,
 * lognormal, gamma or poisson column they are added to the draw (before
 * min/max); on a bernoulli they act on the log-odds:
 *   P(1) = 1 / (1 + exp(-(log(p / (1 - p)) + links))),
 * so p (then 0 < p < 1) is the probability at the centers and a shift of 0.
 * A logistic bernoulli draws one uniform, as a plain one does.
 *
 * Output is reproducible: the same spec and seed give a byte-identical
 * file on any machine (GSL's mt19937, draws in a fixed order, numbers
 * printed with a fixed number of decimals in the C locale). */
#ifndef MKBA_SYNTH_H
#define MKBA_SYNTH_H

#include <stddef.h>

#include "mkba/error.h"

typedef struct mkba_synth mkba_synth;

/* Read and check the spec at 'spec_path' (read with mkba_ini_read, so
 * the INI rules of ini.h apply: an indented line continues the value
 * above it). Returns NULL and fills *err on failure: MKBA_EIO when the
 * file cannot be read; MKBA_EPARSE with the line for INI syntax errors,
 * lines longer than inih's buffer, repeated keys or sections and section
 * names longer than 48 bytes; MKBA_EINVAL for a wrong setting, naming
 * section, key and the key's line (the section's line when the key is
 * missing), e.g.
 *   "data/x.ini:12: [column.leeftijd] sd: expected a number > 0, got '-1'".
 * The result is owned by the caller (mkba_synth_free). */
mkba_synth *mkba_synth_load(const char *spec_path, mkba_error *err);

void mkba_synth_free(mkba_synth *s); /* NULL is a no-op */

/* Draw the cohort with 'seed' (0 .. 4294967295; GSL maps 0 to its default
 * seed 4357) and write it as CSV (',' separator, '.' decimals, header
 * first, '\n' line ends, empty field = missing) to 'out_path' atomically
 * (mkba_afile_open: a temporary file in the same directory, mode 0666
 * less the umask, is written, synced and renamed over 'out_path'). On
 * failure returns MKBA_EIO ("cannot write: <reason>"), MKBA_EINVAL (seed
 * out of range) or MKBA_ENUM (a drawn value is not finite), fills *err,
 * and leaves neither the temporary file nor a new 'out_path' behind.
 * Levels and group names are written as the spec gives them, also one
 * that starts with '=' or '-': the file is an input for mkba, whose cells
 * are data (a leading quote, as out.h puts before formula-like text, would
 * change them), and all of it comes from the user's own spec. */
mkba_status mkba_synth_write(const mkba_synth *s, unsigned long seed,
                             const char *out_path, mkba_error *err);

size_t mkba_synth_rows(const mkba_synth *s);        /* sum of the groups' n */
size_t mkba_synth_columns(const mkba_synth *s);     /* columns written */
const char *mkba_synth_title(const mkba_synth *s);  /* [synth] title, "" if none; borrowed */

#endif
