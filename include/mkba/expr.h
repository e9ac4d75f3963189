/* expr.h - arithmetic expressions of a model, compiled once into a flat
 * program over a vector of numbered slots and evaluated without lookups.
 *
 * Grammar (usual precedence; '^' binds tighter than unary minus and is
 * right-associative, so -2^2 = -4 and 2^3^2 = 512):
 *   expr   := term (('+' | '-') term)*
 *   term   := unary (('*' | '/') unary)*
 *   unary  := '-' unary | '+' unary | power
 *   power  := atom ('^' unary)?
 *   atom   := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
 *   NUMBER := 12 | 0.5 | .5 | 5. | 1e-3 | 14000 (decimal point only, any
 *             locale; a number that overflows to inf is an error; one
 *             that looks grouped in thousands, 1.350, is an error: see
 *             mkba_number_grouping)
 *   NAME   := [A-Za-z_][A-Za-z0-9_]* ('.' [A-Za-z0-9_]+)*  (a later segment
 *             may start with a digit: effect.x.by.2019, a subgroup's level)
 * Functions: min(a, b, ...) and max(a, b, ...) (one or more arguments),
 * abs(x), sqrt(x), exp(x), log(x) (natural), pow(x, y).
 *
 * Names are resolved at compile time by the caller's resolver to slot
 * indices. Constant subexpressions are folded. Evaluation never fails: it
 * follows IEEE arithmetic (x/0 gives inf or NaN), and callers check results
 * with isfinite() where the model is checked. */
#ifndef MKBA_EXPR_H
#define MKBA_EXPR_H

#include <stddef.h>

#include "mkba/error.h"

typedef struct mkba_expr mkba_expr;

/* Map a name (not NUL-terminated: 'len' bytes) to a slot index >= 0, or
 * return -1 if the name is unknown. */
typedef long (*mkba_expr_resolver)(const char *name, size_t len, void *ctx);

/* Compile 'src' ('resolve' may be NULL: then no name is known). On
 * failure returns NULL and fills err->msg and err->where ("column N",
 * 1-based, where the problem is) with what was expected, e.g.
 *   "unknown name 'benfit' in 'benfit * 2'"
 *   "expected ')' but found end of expression"        ("(a + b * 2")
 *   "unexpected '3' after a complete expression"      ("2 3")
 *   "unknown function 'mean' (known: min, max, abs, sqrt, exp, log, pow)"
 *   "min() needs at least 1 argument"; "pow() takes 2 arguments, got 3"
 *   "invalid number '1e'"; "empty expression"
 *   "expression too deeply nested" (more than 200 nested parentheses,
 *   signs, '^' or calls)
 * err->code is MKBA_EINVAL for an unknown name or function, MKBA_EPARSE
 * otherwise. The caller adds file, line and key. */
mkba_expr *mkba_expr_compile(const char *src, mkba_expr_resolver resolve,
                             void *ctx, mkba_error *err);

void mkba_expr_free(mkba_expr *e); /* NULL is a no-op */

/* Dutch writes 1.350 for 1350 (and 1.350.000 for a million and a third):
 * in a model such a number would silently be read 1000 times too small.
 * So a number in 'text' that is 1 to 3 digits (not starting with 0), then
 * one or more groups of '.' and exactly 3 digits, and no exponent, is an
 * error: "1.350", "12.500", "100.000", "1.350.000"; not "0.125", "1.35",
 * "1.3500", "1.350e3". Returns MKBA_OK, or MKBA_EPARSE with err->where
 * "column N" and err->msg
 *   "'1.350' looks like a number with '.' between thousands: write 1350
 *    if '.' separates thousands, or 1.3500 if it is the decimal point"
 *   "'1.350.000' looks like a number with '.' between thousands: write
 *    1350000 (without separators)"
 * mkba_expr_compile checks its source with it; so do the readers of
 * distributions and of the model's other numbers. */
mkba_status mkba_number_grouping(const char *text, mkba_error *err);

/* Evaluate with slot values 'slots' (indexed by the resolver's indices;
 * may be NULL if the expression reads no slot). NULL 'e' gives NaN.
 * Thread-safe: an expression is read-only after compilation. min and max
 * return NaN if an argument is NaN. */
double mkba_expr_eval(const mkba_expr *e, const double *slots);

/* Evaluate over a block of n draws. Slot j's n values are at
 * slots[j * stride .. j * stride + n - 1] (n <= stride); results go to
 * out[0 .. n-1]. 'scratch' holds mkba_expr_depth(e) * stride doubles.
 * Gives exactly the values mkba_expr_eval gives draw by draw. */
void mkba_expr_eval_block(const mkba_expr *e, const double *slots, size_t stride, size_t n,
                          double *out, double *scratch);
/* Stack depth the program needs (>= 1), for sizing 'scratch'. */
size_t mkba_expr_depth(const mkba_expr *e);

/* Slots the expression reads, each once, ascending; returns the count.
 * The array is borrowed from 'e'. */
size_t mkba_expr_deps(const mkba_expr *e, const long **slots);

/* 1 if the expression reads no slot (its value is then in *value). */
int mkba_expr_is_const(const mkba_expr *e, double *value);

/* The source text it was compiled from (borrowed). */
const char *mkba_expr_source(const mkba_expr *e);

/* Number of instructions of the compiled program (shows constant folding:
 * "2*3 + x" has 2, push 6 and add x). For tests and diagnostics. */
size_t mkba_expr_size(const mkba_expr *e);

#endif
