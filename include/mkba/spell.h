/* spell.h - how far apart two spellings of a name are, for the hints that
 * name a near spelling: the "did you mean" of the model reader and the
 * near column names of the cohort reader. */
#ifndef MKBA_SPELL_H
#define MKBA_SPELL_H

#include <stddef.h>

/* Words longer than this count as far apart (the distance keeps its rows
 * on the stack). */
#define MKBA_SPELL_MAX 63

/* The Damerau-Levenshtein distance of a[0..na) and b[0..nb) in its
 * restricted form (optimal string alignment): an insertion, a deletion, a
 * substitution and a swap of two neighbouring bytes each count 1, so the
 * common typos "tiem" and "tme" are both 1 from "time". With ignore_case,
 * ASCII letters compare without case. SIZE_MAX when a word is longer than
 * MKBA_SPELL_MAX bytes. */
size_t mkba_spell_distance(const char *a, size_t na, const char *b, size_t nb, int ignore_case);

#endif
