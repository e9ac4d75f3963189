/* expr.c - model expressions: parsed once into a small tree, folded, then
 * turned into a flat program for a stack machine that the Monte Carlo runs
 * millions of times.
 *
 * Compilation has three steps:
 *   1. A recursive-descent parser (grammar in expr.h) builds tree nodes in
 *      one growing array; a node's children always come before it, so
 *      everything about a node (constant value, stack need) is known when it
 *      is made. Constant operands are folded right there: an operator or
 *      function whose operands are all constants becomes a constant, using
 *      the very functions the evaluator uses, so folding never changes a
 *      result. Nothing else is rewritten (x*0 stays: x may be inf or NaN).
 *   2. Code generation walks the tree with an explicit work stack (a chain
 *      of 50,000 '+' is a tree 50,000 deep). Each binary operator whose
 *      right (or left) operand is a name or a constant takes it straight
 *      from the slot vector or the instruction ("a * b + c" is three
 *      instructions: push a, mul slot b, add slot c). When both operands
 *      need code, the one needing the deeper stack runs first (Sethi-Ullman
 *      order, with reversed operators), so the stack stays shallow.
 *   3. The stack depth of the program is measured by simulating it; more
 *      than STACK_MAX is refused, so evaluation can keep its stack in a
 *      local array and never check bounds.
 *
 * Evaluation allocates nothing, looks nothing up and writes only locals:
 * an expression can be shared by threads. */
#include "mkba/expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/cpu.h"
#include "mkba/mem.h"

#define STACK_MAX 64   /* values on the evaluator's local stack */
#define NEST_MAX 200   /* nested parentheses, signs, '^' and calls */
#define ECHO_MAX 60    /* bytes of a token or name quoted in a message */
#define SOURCE_MAX 200 /* bytes of the source quoted in a message */
#define NONE ((size_t)-1) /* "no node": the parse failed */

/* ============================ Operations ============================== */

/* Opcodes. Unary ones act on the top of the stack; each binary operator
 * has N_FORMS forms (see enum form), numbered OPB(kind, form). */
enum {
    OP_PUSH_S,  /* push slots[slot] */
    OP_PUSH_C,  /* push the constant k */
    OP_NEG,
    OP_ABS,
    OP_SQRT,
    OP_EXP,
    OP_LOG,
    OP_SQR,     /* x^2 with a constant 2, as x*x */
    OP_BIN      /* first binary opcode */
};

enum bin_kind { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MIN, B_MAX };

/* Where the operands of "l OP r" are. 'top' is the top of the stack and
 * 'below' the value under it (popped). */
enum form {
    F_T,   /* below OP top: l ran first, then r */
    F_RT,  /* top OP below: r ran first, then l */
    F_S,   /* top OP slot */
    F_RS,  /* slot OP top */
    F_C,   /* top OP k */
    F_RC,  /* k OP top */
    N_FORMS
};

#define OPB(kind, form) (OP_BIN + (kind) * N_FORMS + (form))

typedef struct instr {
    int op;            /* opcode */
    union {
        size_t slot;   /* forms reading a slot */
        double k;      /* forms reading a constant */
    } u;
} instr;

static double f_add(double a, double b) { return a + b; }
static double f_sub(double a, double b) { return a - b; }
static double f_mul(double a, double b) { return a * b; }
static double f_div(double a, double b) { return a / b; }
static double f_pow(double a, double b) { return pow(a, b); }

/* min and max pass a NaN on (fmin/fmax would drop it and hide a missing
 * value from the model's isfinite() check). */
static double f_min(double a, double b) { return (a < b || isnan(a)) ? a : b; }
static double f_max(double a, double b) { return (a > b || isnan(a)) ? a : b; }

static double apply_bin(int kind, double a, double b)
{
    switch (kind) {
    case B_ADD: return f_add(a, b);
    case B_SUB: return f_sub(a, b);
    case B_MUL: return f_mul(a, b);
    case B_DIV: return f_div(a, b);
    case B_POW: return f_pow(a, b);
    case B_MIN: return f_min(a, b);
    default:    return f_max(a, b);
    }
}

static double apply_unary(int op, double a)
{
    switch (op) {
    case OP_NEG:  return -a;
    case OP_ABS:  return fabs(a);
    case OP_SQRT: return sqrt(a);
    case OP_EXP:  return exp(a);
    case OP_LOG:  return log(a);
    default:      return a * a; /* OP_SQR */
    }
}

struct mkba_expr {
    char *src;          /* source text, a copy */
    instr *code;        /* [n_code] the program */
    size_t n_code;
    long *deps;         /* [n_deps] slots read, ascending, unique */
    size_t n_deps;
    int is_const;       /* reads no slot; value in 'value' */
    double value;
    size_t depth;       /* deepest stack the program reaches */
};

/* ============================ Evaluation ============================== */

/* Block evaluation: the same program over n draws at once, one vector per
 * stack level, so the dispatch of each instruction is paid once per block
 * and the inner loops are plain array loops the compiler vectorises. A
 * slot pushed and at once combined with a slot or a constant ("a * b",
 * "a + 2") is one loop from the slots (fused), and the bottom level is
 * 'out' itself where that reads no slot the program reads (at_out): no
 * copies in or out. The operations and their order are those of
 * mkba_expr_eval, so are the bits. */
#define VLOOP(expr) for (size_t i = 0; i < n; i++) expr
#define BIN_VCASES(K, F)                                                                \
    case OPB(K, F_T):  a = lev(sc, bottom, stride, sp - 2); b = lev(sc, bottom, stride, sp - 1); \
                       VLOOP(a[i] = F(a[i], b[i])); sp--; break;                        \
    case OPB(K, F_RT): a = lev(sc, bottom, stride, sp - 2); b = lev(sc, bottom, stride, sp - 1); \
                       VLOOP(a[i] = F(b[i], a[i])); sp--; break;                        \
    case OPB(K, F_S):  a = lev(sc, bottom, stride, sp - 1); b = slots + p->u.slot * stride; \
                       VLOOP(a[i] = F(a[i], b[i])); break;                              \
    case OPB(K, F_RS): a = lev(sc, bottom, stride, sp - 1); b = slots + p->u.slot * stride; \
                       VLOOP(a[i] = F(b[i], a[i])); break;                              \
    case OPB(K, F_C):  a = lev(sc, bottom, stride, sp - 1); k = p->u.k;                   \
                       VLOOP(a[i] = F(a[i], k)); break;                                 \
    case OPB(K, F_RC): a = lev(sc, bottom, stride, sp - 1); k = p->u.k;                   \
                       VLOOP(a[i] = F(k, a[i])); break;
/* The same after a push of slot column x, into the new level a. */
#define FUSED_VCASES(K, F)                                                              \
    case OPB(K, F_S):  b = slots + q->u.slot * stride; VLOOP(a[i] = F(x[i], b[i])); break; \
    case OPB(K, F_RS): b = slots + q->u.slot * stride; VLOOP(a[i] = F(b[i], x[i])); break; \
    case OPB(K, F_C):  k = q->u.k; VLOOP(a[i] = F(x[i], k)); break;                     \
    case OPB(K, F_RC): k = q->u.k; VLOOP(a[i] = F(k, x[i])); break;

/* Stack level i: 'out' for the bottom one when it is there (not NULL). */
static inline double *lev(double *sc, double *bottom, size_t stride, size_t i)
{
    return i == 0 && bottom ? bottom : sc + i * stride;
}

/* Whether out[0..n) can be the bottom level: it overlaps no column of a
 * slot the program reads (compared as addresses: the slots and 'out' may
 * be one array or two). */
static int at_out(const mkba_expr *e, const double *slots, size_t stride, size_t n,
                  const double *out)
{
    uintptr_t o = (uintptr_t)out, size = n * sizeof *out;
    for (size_t d = 0; d < e->n_deps; d++) {
        uintptr_t c = (uintptr_t)(slots + (size_t)e->deps[d] * stride);
        if (o < c + size && c < o + size)
            return 0;
    }
    return 1;
}

/* The fused form of push x then instruction q, into level a; 0 when q
 * does not combine x with a slot or a constant. */
static inline __attribute__((always_inline)) int fused(const instr *q, const double *slots, size_t stride, size_t n, const double *x,
                 double *a)
{
    const double *b;
    double k;
    switch (q->op) {
    FUSED_VCASES(B_ADD, f_add)
    FUSED_VCASES(B_SUB, f_sub)
    FUSED_VCASES(B_MUL, f_mul)
    FUSED_VCASES(B_DIV, f_div)
    FUSED_VCASES(B_POW, f_pow)
    FUSED_VCASES(B_MIN, f_min)
    FUSED_VCASES(B_MAX, f_max)
    default: return 0;
    }
    return 1;
}

/* The program over the block, compiled into the portable and the AVX2
 * copies below (cpu.h). */
static inline __attribute__((always_inline)) void run_block(const mkba_expr *e,
                                                            const double *slots, size_t stride,
                                                            size_t n, double *out,
                                                            double *scratch)
{
    double *sc = scratch, *a, k, *bottom = at_out(e, slots, stride, n, out) ? out : NULL;
    const double *b;
    size_t sp = 0; /* vectors on the stack */
    for (const instr *p = e->code, *end = e->code + e->n_code; p < end; p++) {
        switch (p->op) {
        case OP_PUSH_S:
            a = lev(sc, bottom, stride, sp++);
            b = slots + p->u.slot * stride;
            if (p + 1 < end && fused(p + 1, slots, stride, n, b, a))
                p++;
            else
                memcpy(a, b, n * sizeof *out);
            break;
        case OP_PUSH_C:
            a = lev(sc, bottom, stride, sp++);
            k = p->u.k;
            VLOOP(a[i] = k);
            break;
        case OP_NEG:  a = lev(sc, bottom, stride, sp - 1); VLOOP(a[i] = -a[i]); break;
        case OP_ABS:  a = lev(sc, bottom, stride, sp - 1); VLOOP(a[i] = fabs(a[i])); break;
        case OP_SQRT: a = lev(sc, bottom, stride, sp - 1); VLOOP(a[i] = sqrt(a[i])); break;
        case OP_EXP:  a = lev(sc, bottom, stride, sp - 1); VLOOP(a[i] = exp(a[i])); break;
        case OP_LOG:  a = lev(sc, bottom, stride, sp - 1); VLOOP(a[i] = log(a[i])); break;
        case OP_SQR:  a = lev(sc, bottom, stride, sp - 1); VLOOP(a[i] = a[i] * a[i]); break;
        BIN_VCASES(B_ADD, f_add)
        BIN_VCASES(B_SUB, f_sub)
        BIN_VCASES(B_MUL, f_mul)
        BIN_VCASES(B_DIV, f_div)
        BIN_VCASES(B_POW, f_pow)
        BIN_VCASES(B_MIN, f_min)
        BIN_VCASES(B_MAX, f_max)
        default: break;
        }
    }
    if (!bottom)
        memcpy(out, sc, n * sizeof *out);
}

static void run_block_portable(const mkba_expr *e, const double *slots, size_t stride, size_t n,
                               double *out, double *scratch)
{
    run_block(e, slots, stride, n, out, scratch);
}

#if MKBA_CPU_AVX2
MKBA_AVX2 static void run_block_avx2(const mkba_expr *e, const double *slots, size_t stride,
                                     size_t n, double *out, double *scratch)
{
    run_block(e, slots, stride, n, out, scratch);
}
#endif

void mkba_expr_eval_block(const mkba_expr *e, const double *slots, size_t stride, size_t n,
                          double *out, double *scratch)
{
    if (!e || e->is_const) {
        double v = e ? e->value : NAN;
        VLOOP(out[i] = v);
        return;
    }
#if MKBA_CPU_AVX2
    if (mkba_cpu_avx2())
        run_block_avx2(e, slots, stride, n, out, scratch);
    else
#endif
        run_block_portable(e, slots, stride, n, out, scratch);
}

size_t mkba_expr_depth(const mkba_expr *e)
{
    return e && !e->is_const ? e->depth : 1;
}

/* The six forms of binary operator K computed by F. */
#define BIN_CASES(K, F)                                                  \
    case OPB(K, F_T):  top = F(st[--sp], top); break;                   \
    case OPB(K, F_RT): top = F(top, st[--sp]); break;                   \
    case OPB(K, F_S):  top = F(top, slots[p->u.slot]); break;           \
    case OPB(K, F_RS): top = F(slots[p->u.slot], top); break;           \
    case OPB(K, F_C):  top = F(top, p->u.k); break;                     \
    case OPB(K, F_RC): top = F(p->u.k, top); break;

double mkba_expr_eval(const mkba_expr *e, const double *slots)
{
    double st[STACK_MAX]; /* values under the top; st[0] holds a dummy */
    double top = 0.0;     /* top of the stack, kept out of memory */
    size_t sp = 0;        /* values in st */
    if (!e)
        return NAN;
    if (e->is_const)
        return e->value;
    for (const instr *p = e->code, *end = e->code + e->n_code; p < end; p++) {
        switch (p->op) {
        case OP_PUSH_S: st[sp++] = top; top = slots[p->u.slot]; break;
        case OP_PUSH_C: st[sp++] = top; top = p->u.k; break;
        case OP_NEG:    top = -top; break;
        case OP_ABS:    top = fabs(top); break;
        case OP_SQRT:   top = sqrt(top); break;
        case OP_EXP:    top = exp(top); break;
        case OP_LOG:    top = log(top); break;
        case OP_SQR:    top = top * top; break;
        BIN_CASES(B_ADD, f_add)
        BIN_CASES(B_SUB, f_sub)
        BIN_CASES(B_MUL, f_mul)
        BIN_CASES(B_DIV, f_div)
        BIN_CASES(B_POW, f_pow)
        BIN_CASES(B_MIN, f_min)
        BIN_CASES(B_MAX, f_max)
        default: break; /* not reached: compile emits only the above */
        }
    }
    return top;
}

/* ============================== Lexer ================================= */

enum token {
    T_END, T_NUM, T_NAME, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_CARET,
    T_LP, T_RP, T_COMMA,
    T_ERR      /* a lexical error, already reported */
};

enum node_kind { N_CONST, N_SLOT, N_UNARY, N_BINARY };

typedef struct node {
    int kind;          /* enum node_kind */
    int op;            /* N_UNARY: opcode; N_BINARY: enum bin_kind */
    size_t a, b;       /* children: operand (a), or left (a) and right (b) */
    double k;          /* N_CONST: the value */
    size_t slot;       /* N_SLOT: the slot */
    int need;          /* stack depth its code needs */
} node;

typedef struct parser {
    const char *src;              /* the text, NUL-terminated */
    mkba_expr_resolver resolve;   /* names to slots; NULL: no names */
    void *ctx;                    /* passed to resolve */
    mkba_error *err;              /* caller's, may be NULL */
    int failed;                   /* an error was reported */
    int depth;                    /* current nesting */
    int tok;                      /* current token (enum token) */
    size_t tok_pos, tok_len;      /* its bytes in src */
    double tok_num;               /* T_NUM: its value */
    node *nodes;                  /* [n_nodes] the tree, children first */
    size_t n_nodes, cap_nodes;
    instr *code;                  /* [n_code] the program being emitted */
    size_t n_code, cap_code;
} parser;

/* Character classes of our own: the C ones follow the locale. */
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_name_char(char c) { return is_name_start(c) || is_digit(c); }

/* Report an error at byte 'pos' of the source (only the first one counts).
 * Returns NONE so parse functions can `return fail(...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static size_t fail(parser *p, size_t pos, mkba_status code, const char *fmt, ...)
{
    char where[48], msg[1024];
    va_list ap;
    if (p->failed)
        return NONE;
    p->failed = 1;
    snprintf(where, sizeof where, "column %zu", pos + 1);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mkba_error_set(p->err, code, NULL, 0, where, "%s", msg);
    return NONE;
}

/* 's' (len bytes) in quotes, cut to 'max' bytes with "..." (never in the
 * middle of a UTF-8 character). */
static const char *quote(char *buf, size_t size, const char *s, size_t len, size_t max)
{
    size_t n = len;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(buf, size, "'%.*s%s'", (int)n, s, n < len ? "..." : "");
    return buf;
}

/* The current token for "but found ...". */
static const char *found(const parser *p, char *buf, size_t size)
{
    if (p->tok == T_END)
        return "end of expression";
    return quote(buf, size, p->src + p->tok_pos, p->tok_len, ECHO_MAX);
}

/* End of the run of characters that make up a bad number or name, so the
 * message can quote all of "1e+x" or "effect.": letters, digits, '_',
 * '.', and a sign right after an exponent 'e'. */
static size_t bad_run(const char *s, size_t i)
{
    for (;; i++) {
        char c = s[i];
        if (is_name_char(c) || c == '.')
            continue;
        if ((c == '+' || c == '-') && i > 0 && (s[i - 1] == 'e' || s[i - 1] == 'E'))
            continue;
        return i;
    }
}

/* Value of a number written with the digits in s[0..len) ('.' skipped)
 * times ten to 'ex'. strtod() follows the locale's decimal point, so it
 * only ever sees "DDDDeN", which reads the same in every locale and is
 * still rounded correctly. */
static double number_value(const char *s, size_t len, long long ex)
{
    char *buf = mkba_xmalloc(len + 32), *end;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (is_digit(s[i]))
            buf[n++] = s[i];
    snprintf(buf + n, 32, "e%lld", ex);
    double v = strtod(buf, &end);
    free(buf);
    return v;
}

/* Lex a number at p->tok_pos: digits, an optional '.' and digits (one
 * digit at least in all), an optional exponent; glued to a letter, digit,
 * '_' or '.' it is invalid ("3x", "1.2.3"). */
static void lex_number(parser *p)
{
    const char *s = p->src;
    size_t i = p->tok_pos, frac = 0, mant_end;
    long long ex = 0;
    int bad = 0;
    char q[ECHO_MAX + 8];
    while (is_digit(s[i]))
        i++;
    if (s[i] == '.')
        for (i++; is_digit(s[i]); i++)
            frac++;
    mant_end = i;
    if (s[i] == 'e' || s[i] == 'E') {
        int neg = 0;
        i++;
        if (s[i] == '+' || s[i] == '-')
            neg = s[i++] == '-';
        bad = !is_digit(s[i]);
        for (; is_digit(s[i]); i++)
            if (ex < 1000000000LL) /* saturate: far out of range already */
                ex = ex * 10 + (s[i] - '0');
        if (neg)
            ex = -ex;
    }
    if (bad || is_name_char(s[i]) || s[i] == '.') {
        p->tok = T_ERR;
        fail(p, p->tok_pos, MKBA_EPARSE, "invalid number %s",
             quote(q, sizeof q, s + p->tok_pos, bad_run(s, i) - p->tok_pos, ECHO_MAX));
        return;
    }
    p->tok = T_NUM;
    p->tok_len = i - p->tok_pos;
    p->tok_num = number_value(s + p->tok_pos, mant_end - p->tok_pos, ex - (long long)frac);
    if (isinf(p->tok_num)) {
        p->tok = T_ERR;
        fail(p, p->tok_pos, MKBA_EPARSE, "invalid number %s (too large)",
             quote(q, sizeof q, s + p->tok_pos, p->tok_len, ECHO_MAX));
    }
}

/* Lex a name: [A-Za-z_][A-Za-z0-9_]* then segments [A-Za-z0-9_]+, joined
 * by '.'. */
static void lex_name(parser *p)
{
    const char *s = p->src;
    size_t i = p->tok_pos;
    for (;;) {
        while (is_name_char(s[i]))
            i++;
        if (s[i] != '.' || !is_name_char(s[i + 1])) /* effect.x.by.2019: a later segment */
            break;                                    /* may start with a digit */
        i++;
    }
    if (s[i] == '.') {
        char q[ECHO_MAX + 8];
        p->tok = T_ERR;
        fail(p, p->tok_pos, MKBA_EPARSE, "invalid name %s",
             quote(q, sizeof q, s + p->tok_pos, bad_run(s, i) - p->tok_pos, ECHO_MAX));
        return;
    }
    p->tok = T_NAME;
    p->tok_len = i - p->tok_pos;
}

/* A character that starts no token: quote it whole (a UTF-8 sequence such
 * as U+2212 MINUS SIGN too), or give its code if it cannot be shown. */
static void lex_bad(parser *p)
{
    const unsigned char *s = (const unsigned char *)p->src + p->tok_pos;
    size_t n = 0;
    char q[16];
    if (s[0] >= 0x21 && s[0] <= 0x7E)
        n = 1;
    else if (s[0] >= 0xC2 && s[0] <= 0xF4) {
        size_t want = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
        for (n = 1; n < want && (s[n] & 0xC0) == 0x80; n++)
            ;
        if (n < want)
            n = 0;
    }
    p->tok = T_ERR;
    if (n)
        fail(p, p->tok_pos, MKBA_EPARSE, "unexpected %s",
             quote(q, sizeof q, (const char *)s, n, ECHO_MAX));
    else
        fail(p, p->tok_pos, MKBA_EPARSE, "unexpected character 0x%02X", (unsigned)s[0]);
}

/* Move to the next token. On a lexical error the token is T_ERR and the
 * error is reported. */
static void advance(parser *p)
{
    static const char ops[] = "+-*/^(),";
    static const int op_tok[] = {T_PLUS, T_MINUS, T_STAR, T_SLASH, T_CARET,
                                 T_LP, T_RP, T_COMMA};
    const char *s = p->src;
    size_t i = p->tok_pos + p->tok_len;
    while (is_space(s[i]))
        i++;
    p->tok_pos = i;
    p->tok_len = 1;
    if (s[i] == '\0') {
        p->tok = T_END;
        p->tok_len = 0;
    } else if (is_digit(s[i]) || (s[i] == '.' && is_digit(s[i + 1]))) {
        lex_number(p);
    } else if (is_name_start(s[i])) {
        lex_name(p);
    } else if (strchr(ops, s[i])) {
        p->tok = op_tok[strchr(ops, s[i]) - ops];
    } else {
        lex_bad(p);
    }
}

/* ============================ Tree nodes ============================== */

static size_t new_node(parser *p, int kind, int op, size_t a, size_t b)
{
    if (p->n_nodes == p->cap_nodes) {
        p->cap_nodes = p->cap_nodes ? 2 * p->cap_nodes : 32;
        p->nodes = mkba_xreallocarray(p->nodes, p->cap_nodes, sizeof *p->nodes);
    }
    node *n = &p->nodes[p->n_nodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->op = op;
    n->a = a;
    n->b = b;
    n->need = 1;
    return p->n_nodes++;
}

static size_t mk_const(parser *p, double k)
{
    size_t i = new_node(p, N_CONST, 0, NONE, NONE);
    p->nodes[i].k = k;
    return i;
}

static size_t mk_slot(parser *p, size_t slot)
{
    size_t i = new_node(p, N_SLOT, 0, NONE, NONE);
    p->nodes[i].slot = slot;
    return i;
}

static int is_leaf(const node *n) { return n->kind == N_CONST || n->kind == N_SLOT; }

static size_t mk_unary(parser *p, int op, size_t a)
{
    if (p->nodes[a].kind == N_CONST)
        return mk_const(p, apply_unary(op, p->nodes[a].k));
    size_t i = new_node(p, N_UNARY, op, a, NONE);
    p->nodes[i].need = p->nodes[a].need;
    return i;
}

/* How "l OP r" is computed: which operand runs first, which is taken
 * straight from a slot or constant. */
enum order {
    O_FUSE_R,   /* code of l, then OP with r's slot or constant */
    O_FUSE_L,   /* code of r, then reversed OP with l's slot or constant */
    O_LR,       /* code of l, of r, then OP on the two */
    O_RL        /* code of r, of l, then reversed OP: r needs more stack */
};

static int bin_order(const parser *p, const node *n)
{
    const node *l = &p->nodes[n->a], *r = &p->nodes[n->b];
    if (is_leaf(r))
        return O_FUSE_R;
    if (is_leaf(l))
        return O_FUSE_L;
    return l->need >= r->need ? O_LR : O_RL;
}

static size_t mk_binary(parser *p, int kind, size_t l, size_t r)
{
    const node *nl = &p->nodes[l], *nr = &p->nodes[r];
    if (nl->kind == N_CONST && nr->kind == N_CONST)
        return mk_const(p, apply_bin(kind, nl->k, nr->k));
    if (kind == B_POW && nr->kind == N_CONST && nr->k == 2.0)
        return mk_unary(p, OP_SQR, l);
    size_t i = new_node(p, N_BINARY, kind, l, r);
    node *n = &p->nodes[i];
    int nl_need = p->nodes[l].need, nr_need = p->nodes[r].need;
    switch (bin_order(p, n)) {
    case O_FUSE_R: n->need = nl_need; break;
    case O_FUSE_L: n->need = nr_need; break;
    case O_LR:     n->need = nl_need > nr_need + 1 ? nl_need : nr_need + 1; break;
    default:       n->need = nr_need > nl_need + 1 ? nr_need : nl_need + 1; break;
    }
    return i;
}

/* ============================== Parser ================================ */

static size_t parse_expr(parser *p);
static size_t parse_unary(parser *p);

static const struct func {
    const char *name;
    int nargs;     /* arguments; -1: one or more */
    int binary;    /* 1: 'op' is a bin_kind, 0: a unary opcode */
    int op;
} funcs[] = {
    {"min", -1, 1, B_MIN}, {"max", -1, 1, B_MAX}, {"abs", 1, 0, OP_ABS},
    {"sqrt", 1, 0, OP_SQRT}, {"exp", 1, 0, OP_EXP}, {"log", 1, 0, OP_LOG},
    {"pow", 2, 1, B_POW},
};

static const struct func *find_func(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (strlen(funcs[i].name) == len && memcmp(funcs[i].name, name, len) == 0)
            return &funcs[i];
    return NULL;
}

/* A call: the current token is '(' after the name at name_pos. min and max
 * become a chain of two-operand nodes, min(a, b, c) = min(min(a, b), c). */
static size_t parse_call(parser *p, size_t name_pos, size_t name_len)
{
    const struct func *f = find_func(p->src + name_pos, name_len);
    size_t arg[2] = {NONE, NONE}, acc = NONE;
    long n = 0;
    char q[ECHO_MAX + 8];
    if (!f)
        return fail(p, name_pos, MKBA_EINVAL,
                    "unknown function %s (known: min, max, abs, sqrt, exp, log, pow)",
                    quote(q, sizeof q, p->src + name_pos, name_len, ECHO_MAX));
    advance(p);
    if (p->tok != T_RP) {
        for (;;) {
            size_t a = parse_expr(p);
            if (a == NONE || p->failed)
                return NONE;
            if (n < 2)
                arg[n] = a;
            if (n == 0)
                acc = a;
            else if (f->nargs < 0)
                acc = mk_binary(p, f->op, acc, a);
            n++;
            if (p->tok == T_RP)
                break;
            if (p->tok != T_COMMA)
                return fail(p, p->tok_pos, MKBA_EPARSE, "expected ',' or ')' but found %s",
                            found(p, q, sizeof q));
            advance(p);
        }
    }
    if (p->failed)
        return NONE;
    if (f->nargs < 0 && n == 0)
        return fail(p, name_pos, MKBA_EPARSE, "%s() needs at least 1 argument", f->name);
    if (f->nargs >= 0 && n != f->nargs)
        return fail(p, name_pos, MKBA_EPARSE, "%s() takes %d argument%s, got %ld", f->name,
                    f->nargs, f->nargs == 1 ? "" : "s", n);
    advance(p); /* the ')' */
    if (f->nargs < 0)
        return acc;
    return f->binary ? mk_binary(p, f->op, arg[0], arg[1]) : mk_unary(p, f->op, arg[0]);
}

/* A name, or a call if '(' follows. */
static size_t parse_name(parser *p)
{
    size_t pos = p->tok_pos, len = p->tok_len;
    long slot;
    advance(p);
    if (p->failed)
        return NONE;
    if (p->tok == T_LP)
        return parse_call(p, pos, len);
    slot = p->resolve ? p->resolve(p->src + pos, len, p->ctx) : -1;
    if (slot < 0) {
        char q[ECHO_MAX + 8], qs[SOURCE_MAX + 8];
        return fail(p, pos, MKBA_EINVAL, "unknown name %s in %s",
                    quote(q, sizeof q, p->src + pos, len, ECHO_MAX),
                    quote(qs, sizeof qs, p->src, strlen(p->src), SOURCE_MAX));
    }
    return mk_slot(p, (size_t)slot);
}

static size_t parse_atom(parser *p)
{
    char q[ECHO_MAX + 8];
    size_t e;
    switch (p->tok) {
    case T_NUM:
        e = mk_const(p, p->tok_num);
        advance(p);
        return e;
    case T_NAME:
        return parse_name(p);
    case T_LP:
        advance(p);
        e = parse_expr(p);
        if (e == NONE || p->failed)
            return NONE;
        if (p->tok != T_RP)
            return fail(p, p->tok_pos, MKBA_EPARSE, "expected ')' but found %s",
                        found(p, q, sizeof q));
        advance(p);
        return e;
    case T_ERR:
        return NONE;
    default:
        return fail(p, p->tok_pos, MKBA_EPARSE, "expected a number or a name but found %s",
                    found(p, q, sizeof q));
    }
}

/* power := atom ('^' unary)? */
static size_t parse_power(parser *p)
{
    size_t a = parse_atom(p), b;
    if (a == NONE || p->tok != T_CARET)
        return a;
    advance(p);
    if ((b = parse_unary(p)) == NONE)
        return NONE;
    return mk_binary(p, B_POW, a, b);
}

/* unary := '-' unary | '+' unary | power. Every nesting of the grammar
 * passes here, so this is where depth is limited. */
static size_t parse_unary(parser *p)
{
    size_t e;
    if (++p->depth > NEST_MAX) {
        p->depth--;
        return fail(p, p->tok_pos, MKBA_EPARSE, "expression too deeply nested");
    }
    if (p->tok == T_MINUS || p->tok == T_PLUS) {
        int neg = p->tok == T_MINUS;
        advance(p);
        e = parse_unary(p);
        if (e != NONE && neg)
            e = mk_unary(p, OP_NEG, e);
    } else {
        e = parse_power(p);
    }
    p->depth--;
    return e;
}

/* term := unary (('*' | '/') unary)* */
static size_t parse_term(parser *p)
{
    size_t l = parse_unary(p);
    while (l != NONE && (p->tok == T_STAR || p->tok == T_SLASH)) {
        int kind = p->tok == T_STAR ? B_MUL : B_DIV;
        size_t r;
        advance(p);
        if ((r = parse_unary(p)) == NONE)
            return NONE;
        l = mk_binary(p, kind, l, r);
    }
    return l;
}

/* expr := term (('+' | '-') term)* */
static size_t parse_expr(parser *p)
{
    size_t l = parse_term(p);
    while (l != NONE && (p->tok == T_PLUS || p->tok == T_MINUS)) {
        int kind = p->tok == T_PLUS ? B_ADD : B_SUB;
        size_t r;
        advance(p);
        if ((r = parse_term(p)) == NONE)
            return NONE;
        l = mk_binary(p, kind, l, r);
    }
    return l;
}

/* ========================== Code generation =========================== */

static void emit(parser *p, int op, const node *operand)
{
    if (p->n_code == p->cap_code) {
        p->cap_code = p->cap_code ? 2 * p->cap_code : 16;
        p->code = mkba_xreallocarray(p->code, p->cap_code, sizeof *p->code);
    }
    instr *in = &p->code[p->n_code++];
    in->op = op;
    in->u.slot = 0;
    if (operand && operand->kind == N_SLOT)
        in->u.slot = operand->slot;
    else if (operand)
        in->u.k = operand->k;
}

/* Emit OP for binary node n with leaf operand x; 'form' is its slot form
 * (F_S or F_RS), the constant form follows it (F_C or F_RC). */
static void emit_fused(parser *p, const node *n, const node *x, int form)
{
    emit(p, OPB(n->op, x->kind == N_SLOT ? form : form + 2), x);
}

/* The instruction(s) of node i once its operands' code is out. */
static void emit_node(parser *p, size_t i)
{
    const node *n = &p->nodes[i];
    switch (n->kind) {
    case N_CONST: emit(p, OP_PUSH_C, n); break;
    case N_SLOT:  emit(p, OP_PUSH_S, n); break;
    case N_UNARY: emit(p, n->op, NULL); break;
    default:
        switch (bin_order(p, n)) {
        case O_FUSE_R: emit_fused(p, n, &p->nodes[n->b], F_S); break;
        case O_FUSE_L: emit_fused(p, n, &p->nodes[n->a], F_RS); break;
        case O_LR:     emit(p, OPB(n->op, F_T), NULL); break;
        default:       emit(p, OPB(n->op, F_RT), NULL); break;
        }
    }
}

/* Post-order walk from 'root' with an explicit stack of work items: node
 * index * 2 to visit a node, + 1 to emit it. Each node is pushed at most
 * once of each kind, so 2 * n_nodes items suffice. */
static void generate(parser *p, size_t root)
{
    size_t *work = mkba_xreallocarray(NULL, 2 * p->n_nodes + 1, sizeof *work), nw = 0;
    work[nw++] = 2 * root;
    while (nw) {
        size_t w = work[--nw], i = w / 2;
        const node *n = &p->nodes[i];
        if (w % 2 == 1 || is_leaf(n)) {
            emit_node(p, i);
            continue;
        }
        work[nw++] = 2 * i + 1;
        if (n->kind == N_UNARY) {
            work[nw++] = 2 * n->a;
            continue;
        }
        switch (bin_order(p, n)) { /* pushed in reverse of running order */
        case O_FUSE_R: work[nw++] = 2 * n->a; break;
        case O_FUSE_L: work[nw++] = 2 * n->b; break;
        case O_LR:     work[nw++] = 2 * n->b; work[nw++] = 2 * n->a; break;
        default:       work[nw++] = 2 * n->a; work[nw++] = 2 * n->b; break;
        }
    }
    free(work);
}

static int op_reads_slot(int op)
{
    return op == OP_PUSH_S ||
           (op >= OP_BIN && ((op - OP_BIN) % N_FORMS == F_S || (op - OP_BIN) % N_FORMS == F_RS));
}

/* Deepest stack the program reaches (the top counted). */
static size_t stack_depth(const instr *code, size_t n)
{
    size_t sp = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        int op = code[i].op;
        if (op == OP_PUSH_S || op == OP_PUSH_C)
            sp++;
        else if (op >= OP_BIN && ((op - OP_BIN) % N_FORMS == F_T ||
                                  (op - OP_BIN) % N_FORMS == F_RT))
            sp--;
        if (sp > max)
            max = sp;
    }
    return max;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Slots read by the program, ascending and unique. */
static void collect_deps(mkba_expr *e)
{
    size_t n = 0;
    e->deps = mkba_xreallocarray(NULL, e->n_code, sizeof *e->deps);
    for (size_t i = 0; i < e->n_code; i++)
        if (op_reads_slot(e->code[i].op))
            e->deps[n++] = (long)e->code[i].u.slot;
    qsort(e->deps, n, sizeof *e->deps, cmp_long);
    e->n_deps = 0;
    for (size_t i = 0; i < n; i++)
        if (e->n_deps == 0 || e->deps[e->n_deps - 1] != e->deps[i])
            e->deps[e->n_deps++] = e->deps[i];
}

/* ============================= Public API ============================= */

/* The hint for a ',' at s[i] after a complete expression. Between digits
 * it is a decimal comma ("2,25"), or with exactly three digits after it
 * ("1,350") maybe a thousands separator: then both readings are named. */
static void comma_hint(const char *s, size_t i, int decimal_comma, char *buf, size_t size)
{
    size_t a = i, b = i + 1;
    buf[0] = '\0';
    if (!decimal_comma)
        return;
    while (a > 0 && is_digit(s[a - 1]))
        a--;
    while (is_digit(s[b]))
        b++;
    if (b - i - 1 != 3 || (a > 0 && (is_name_char(s[a - 1]) || s[a - 1] == '.')) ||
        is_name_char(s[b]) || s[b] == '.' || i - a > 3 || s[a] == '0') {
        snprintf(buf, size, " (use '.' as the decimal point)");
        return;
    }
    if (s[b] == ',' && is_digit(s[b + 1])) { /* "1,350,000": thousands only */
        char digits[64];
        size_t k = 0;
        for (size_t j = a; (is_digit(s[j]) || (s[j] == ',' && is_digit(s[j + 1]))) &&
                           k + 1 < sizeof digits;
             j++)
            if (s[j] != ',')
                digits[k++] = s[j];
        digits[k] = '\0';
        snprintf(buf, size, " (write %s without separators)", digits);
        return;
    }
    /* The decimal reading, written so that it does not look grouped:
     * 1,350 -> 1.35; 1,355 -> 1.3550; 1,000 -> 1. */
    char frac[8];
    size_t nf = 3;
    memcpy(frac, s + i + 1, 3);
    while (nf > 0 && frac[nf - 1] == '0')
        nf--;
    frac[nf] = '\0';
    if (nf == 3)
        strcat(frac, "0");
    snprintf(buf, size, " (write %.*s%.3s if ',' separates thousands, or %.*s%s%s if it is a "
                        "decimal comma)",
             (int)(i - a), s + a, s + i + 1, (int)(i - a), s + a, nf ? "." : "", frac);
}

/* Parse the whole source into p's tree; returns the root or NONE. */
static size_t parse_all(parser *p)
{
    size_t root;
    char q[ECHO_MAX + 8];
    advance(p);
    if (p->tok == T_END)
        return fail(p, 0, MKBA_EPARSE, "empty expression");
    root = parse_expr(p);
    if (root == NONE || p->failed)
        return NONE;
    if (p->tok != T_END) {
        const char *s = p->src;
        size_t i = p->tok_pos;
        int decimal_comma = p->tok == T_COMMA && i > 0 && is_digit(s[i - 1]) &&
                            is_digit(s[i + 1]);
        char hint[160];
        comma_hint(s, i, decimal_comma, hint, sizeof hint);
        return fail(p, i, MKBA_EPARSE, "unexpected %s after a complete expression%s",
                    found(p, q, sizeof q), hint);
    }
    return root;
}

/* Length of a run of digits and '.' at s that is a number grouped in
 * thousands with '.' (see mkba_number_grouping), else 0. */
static size_t grouped_run(const char *s)
{
    size_t lead = 0, i = 0, groups = 0;
    while (is_digit(s[i]))
        i++, lead++;
    if (lead == 0 || lead > 3 || s[0] == '0')
        return 0;
    while (s[i] == '.' && is_digit(s[i + 1]) && is_digit(s[i + 2]) && is_digit(s[i + 3]) &&
           !is_digit(s[i + 4])) {
        i += 4;
        groups++;
    }
    /* "1.350e3" and "1.350x" are other mistakes, reported where they are. */
    if (groups == 0 || is_name_char(s[i]) || s[i] == '.')
        return 0;
    return i;
}

mkba_status mkba_number_grouping(const char *text, mkba_error *err)
{
    const char *s = text ? text : "";
    for (size_t i = 0; s[i]; i++) {
        /* a number starts at a digit that is not inside a name or number */
        if (!is_digit(s[i]) || (i > 0 && (is_name_char(s[i - 1]) || s[i - 1] == '.')))
            continue;
        size_t n = grouped_run(s + i);
        if (!n) {
            while (is_digit(s[i + 1]) || s[i + 1] == '.')
                i++;
            continue;
        }
        char digits[64], where[48];
        size_t k = 0, groups = 0;
        for (size_t j = 0; j < n && k + 1 < sizeof digits; j++) {
            if (s[i + j] == '.')
                groups++;
            else
                digits[k++] = s[i + j];
        }
        digits[k] = '\0';
        snprintf(where, sizeof where, "column %zu", i + 1);
        if (groups > 1)
            return mkba_error_set(err, MKBA_EPARSE, NULL, 0, where,
                                  "'%.*s' looks like a number with '.' between thousands: "
                                  "write %s (without separators)",
                                  (int)n, s + i, digits);
        return mkba_error_set(err, MKBA_EPARSE, NULL, 0, where,
                              "'%.*s' looks like a number with '.' between thousands: write %s "
                              "if '.' separates thousands, or %.*s0 if it is the decimal point",
                              (int)n, s + i, digits, (int)n, s + i);
    }
    return MKBA_OK;
}

mkba_expr *mkba_expr_compile(const char *src, mkba_expr_resolver resolve,
                             void *ctx, mkba_error *err)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.src = src ? src : "";
    p.resolve = resolve;
    p.ctx = ctx;
    p.err = err;
    if (mkba_number_grouping(p.src, err) != MKBA_OK)
        return NULL;
    size_t root = parse_all(&p);
    if (root != NONE) {
        generate(&p, root);
        if (stack_depth(p.code, p.n_code) > STACK_MAX)
            root = fail(&p, 0, MKBA_EPARSE, "expression too deeply nested");
    }
    if (root == NONE) {
        free(p.nodes);
        free(p.code);
        return NULL;
    }
    mkba_expr *e = mkba_xcalloc(1, sizeof *e);
    e->src = mkba_xstrdup(p.src);
    e->is_const = p.nodes[root].kind == N_CONST;
    e->value = e->is_const ? p.nodes[root].k : NAN;
    e->code = p.code;
    e->n_code = p.n_code;
    e->depth = stack_depth(p.code, p.n_code);
    collect_deps(e);
    free(p.nodes);
    return e;
}

void mkba_expr_free(mkba_expr *e)
{
    if (!e)
        return;
    free(e->src);
    free(e->code);
    free(e->deps);
    free(e);
}

size_t mkba_expr_deps(const mkba_expr *e, const long **slots)
{
    if (!e) {
        if (slots)
            *slots = NULL;
        return 0;
    }
    if (slots)
        *slots = e->deps;
    return e->n_deps;
}

int mkba_expr_is_const(const mkba_expr *e, double *value)
{
    if (!e || !e->is_const)
        return 0;
    if (value)
        *value = e->value;
    return 1;
}

const char *mkba_expr_source(const mkba_expr *e)
{
    return e ? e->src : NULL;
}

size_t mkba_expr_size(const mkba_expr *e)
{
    return e ? e->n_code : 0;
}
