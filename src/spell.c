/* spell.c - the edit distance of two spellings (include/mkba/spell.h). */
#include "mkba/spell.h"

#include <stdint.h>

static char fold(char c, int ignore_case)
{
    return ignore_case && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static size_t min2(size_t x, size_t y)
{
    return x < y ? x : y;
}

/* Row by row over a, three rows kept: the swap looks two rows back. */
size_t mkba_spell_distance(const char *a, size_t na, const char *b, size_t nb, int ignore_case)
{
    size_t rows[3][MKBA_SPELL_MAX + 1];
    if (na > MKBA_SPELL_MAX || nb > MKBA_SPELL_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= nb; j++)
        rows[0][j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t *cur = rows[i % 3];
        const size_t *up = rows[(i - 1) % 3], *up2 = rows[(i + 1) % 3];
        char ca = fold(a[i - 1], ignore_case);
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            char cb = fold(b[j - 1], ignore_case);
            size_t d = min2(up[j - 1] + (ca != cb), min2(up[j], cur[j - 1]) + 1);
            if (i > 1 && j > 1 && ca == fold(b[j - 2], ignore_case) &&
                fold(a[i - 2], ignore_case) == cb)
                d = min2(d, up2[j - 2] + 1);
            cur[j] = d;
        }
    }
    return rows[na % 3][nb];
}
