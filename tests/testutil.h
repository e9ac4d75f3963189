/* testutil.h - helpers shared by the Check test programs: temporary
 * directories, small files, and running the mkba binary. */
#ifndef MKBA_TESTUTIL_H
#define MKBA_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <sys/stat.h>

/* A fresh directory under $TMPDIR (or /tmp); the caller frees the string
 * and may remove the tree with tu_rmtree(). */
char *tu_tmpdir(void);
void tu_rmtree(const char *dir);

/* Write 'text' to dir/name (creating subdirectories is the caller's job).
 * Returns the full path (caller frees). Aborts the test on failure. */
char *tu_write(const char *dir, const char *name, const char *text);
/* "dir/name", malloc'ed (caller frees). */
char *tu_path(const char *dir, const char *name);

/* The whole content of 'path' (caller frees), or NULL if it cannot be read;
 * always NUL-terminated. tu_read_len() also gives its length in bytes (the
 * file may hold NULs); 'len' may be NULL. */
char *tu_read(const char *path);
char *tu_read_len(const char *path, size_t *len);

/* Call 'fn' for every entry below 'root' (not "." or ".."), directories
 * before what they hold, in readdir order: 'rel' is its path below 'root',
 * 'full' root/rel, 'st' its lstat (symbolic links are not followed). 'fn'
 * returns 0 to go on into a directory, anything else to skip it. An entry
 * that cannot be listed or stat'ed fails the test. */
typedef int (*tu_walk_fn)(const char *rel, const char *full, const struct stat *st, void *ctx);
void tu_walk(const char *root, tu_walk_fn fn, void *ctx);

/* A fresh temporary directory (tu_tmpdir) that keeps the paths it hands
 * out, for fixtures whose tests name many files: the paths live until
 * tu_dir_free(), which also removes the tree. */
typedef struct tu_dir tu_dir;
tu_dir *tu_dir_new(void);
const char *tu_dir_root(const tu_dir *d);                     /* the directory */
const char *tu_dir_path(tu_dir *d, const char *name);         /* root/name; not created */
const char *tu_dir_write(tu_dir *d, const char *name, const char *text); /* tu_write */
void tu_dir_free(tu_dir *d);                                  /* NULL is a no-op */

/* The source tree (MKBA_SRCDIR or "."), and a path inside it (caller frees). */
const char *tu_srcdir(void);
char *tu_src(const char *rel);

/* Run the mkba binary (MKBA_BIN) with 'args' (NULL-terminated) in 'cwd'
 * (NULL = current). Captures stdout and stderr (caller frees both) and
 * returns the exit status (or -1 if it did not exit normally). Under
 * MKBA_VALGRIND=1 the binary runs under valgrind, and a valgrind error
 * counts as exit status 99. */
int tu_run(const char *cwd, const char *const *args, char **out, char **err);

/* A per-test temporary directory for Check fixtures:
 * tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown) gives each
 * test a fresh tu_tmp (tu_tmpdir) and removes it afterwards. */
extern char *tu_tmp;
void tu_tmp_setup(void);
void tu_tmp_teardown(void);

/* Run every test of 's' (which it frees) and return the program's exit
 * status: EXIT_SUCCESS when none failed. */
int tu_run_suite(Suite *s);

/* 1 if 'hay' contains 'needle'. */
int tu_contains(const char *hay, const char *needle);

/* A propensity model's diagnostics built by hand (mkba_ps_diag_free frees
 * it), for the tests of the outputs; the values are listed in testutil.c.
 * With min_group 10 and group sizes 50 (pilot) and 212 (control), column
 * 2 ("household: single parent", 4 persons on its rarer side) is withheld,
 * column 3 ("age^2", SMD after 0.15) is the one imbalanced, and nothing
 * else is withheld. */
struct mkba_ps_diag *tu_ps_diag(void);

#endif
