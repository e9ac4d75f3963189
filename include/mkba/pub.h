/* pub.h - publishing the outputs of a run: all of them together, or none,
 * and never over an input.
 *
 * A run writes many files (tables in --out, results.json, the charts in
 * DIR/charts, the --report, the --draws-out file) and removes the tables
 * and charts of an earlier run that it did not make. A publication (one
 * mkba_pub per run) collects all of that before any of it becomes
 * visible:
 *
 *   - the run's inputs are registered first (mkba_pub_input);
 *   - every output is claimed under its path before it is written: a
 *     claim is refused when the path is an input (the same file by device
 *     and inode, so a symbolic or hard link is caught too, or the same
 *     canonical path), when another output of this run already claimed it,
 *     or when it is a directory, device, pipe or socket;
 *   - files are written to temporary names beside their targets
 *     (mkba_pub_open), or made elsewhere on the same file system and staged
 *     for a rename (mkba_pub_stage); stale files are staged for removal
 *     (mkba_pub_unlink), refused when they are inputs;
 *   - directories the run needs are made through the publication
 *     (mkba_pub_mkdir), which remembers the ones it created;
 *   - mkba_pub_commit then gets every file onto the disk (flush, fsync,
 *     close: a full disk is reported here as "path: cannot write: No space
 *     left on device", with the file's name) and only when all succeeded
 *     renames them into place, removes the stale files and the private
 *     directories;
 *   - mkba_pub_abort (or a failed commit) removes every temporary file and
 *     private directory and the directories the run created (when empty),
 *     so the file system is as it was before the run.
 *
 * Renames are atomic one file at a time: a crash (SIGKILL, power loss) in
 * the middle of the second phase of a commit, which only renames finished
 * files, can leave some outputs new and some old. An interrupt (SIGINT,
 * SIGTERM, SIGHUP) is held off during that phase (see fsutil.h), so a
 * stopped run leaves either the old outputs or all of the new ones. */
#ifndef MKBA_PUB_H
#define MKBA_PUB_H

#include <stdio.h>

#include "mkba/error.h"

typedef struct mkba_pub mkba_pub;

/* What the files a run writes inside --out DIR (tables, results.json,
 * charts) are claimed as; an input in their place gets the message of
 * mkba_pub_guard_dir. */
#define MKBA_PUB_OUT_DIR "--out DIR"

mkba_pub *mkba_pub_new(void);

/* Register an input of the run; 'kind' says what it is in messages ("the
 * model file", "a scenario file", "a cohort file"; a static string). A
 * path that cannot be stat'ed is kept by name only. */
void mkba_pub_input(mkba_pub *p, const char *path, const char *kind);

/* The kind of the input that 'path' is (by inode or canonical path), or
 * NULL when it is none. */
const char *mkba_pub_input_kind(const mkba_pub *p, const char *path);

/* Refuse the run (before anything is computed or written) when an entry
 * inside 'dir' that the run may write or remove ('owns' says so of its
 * path relative to 'dir'; subdirectories with such names are searched
 * too) is an input, a link to one included: "dir/effects.csv: is a cohort
 * file, and --out DIR writes or removes a file of that name (move it, or
 * write the results to another directory)". A 'dir' that does not exist
 * holds no input. */
mkba_status mkba_pub_guard_dir(mkba_pub *p, const char *dir, int (*owns)(const char *rel),
                               mkba_error *err);

/* Claim 'path' for the output 'what' ("--report", "--draws-out", "a table
 * DIR" for the files inside --out; a static string) without writing it yet, so that
 * a conflict is found before anything is computed. Refused (MKBA_EINVAL)
 * when it is an input ("path: is a cohort file; --report would overwrite
 * it (give --report another file name)") or claimed by another output
 * ("path: --report and --draws-out would both write this file"), and
 * (MKBA_EIO) when it is a directory or not a regular file. Claiming the
 * same path twice for the same 'what' is fine. */
mkba_status mkba_pub_claim(mkba_pub *p, const char *path, const char *what, mkba_error *err);

/* Whether an output of this run claimed 'path' (its canonical location). */
int mkba_pub_claimed(const mkba_pub *p, const char *path);

/* Claim 'path' and open a temporary file beside it; the stream belongs to
 * the publication (do not close it). NULL with *err set on failure. */
FILE *mkba_pub_open(mkba_pub *p, const char *path, const char *what, mkba_error *err);

/* Claim 'path' and rename the finished file 'src' (on the same file
 * system, e.g. in a private directory) onto it at commit. */
mkba_status mkba_pub_stage(mkba_pub *p, const char *src, const char *path, const char *what,
                           mkba_error *err);

/* Remove 'path' (a file of an earlier run) at commit, after the renames.
 * Refused when it is an input (with the message of mkba_pub_guard_dir). */
mkba_status mkba_pub_unlink(mkba_pub *p, const char *path, mkba_error *err);

/* mkdir -p 'dir' ("dir: cannot create directory: ..."); the directories it
 * creates are removed again (when empty) by an abort. With 'no_link', a
 * 'dir' that is a symbolic link is refused: the run would write through it
 * ("dir: is a symbolic link; mkba does not write through it"). */
mkba_status mkba_pub_mkdir(mkba_pub *p, const char *dir, int no_link, mkba_error *err);

/* A private directory (made with mkba_tmp_mkdtemp) that the publication
 * removes, with what is left in it, at commit or abort. */
void mkba_pub_private(mkba_pub *p, const char *dir);

/* Publish everything (see above). Always releases 'p'. */
mkba_status mkba_pub_commit(mkba_pub *p, mkba_error *err);

/* Publish nothing and undo what was made. Releases 'p'; NULL is a no-op. */
void mkba_pub_abort(mkba_pub *p);

#endif
