/* fsutil.h - file system helpers: opening inputs safely, and writing
 * results safely: creating an output directory with its parents, and
 * atomic file writes (write to a temporary file beside the target, then
 * rename it into place).
 *
 * A reader of an output file sees either the old file or the complete new
 * one, never a half-written file. Errors are reported as
 * "path: cannot write: <reason>" (or "dir: cannot create directory:
 * <reason>"), naming the file the user asked for, not the temporary name. */
#ifndef MKBA_FSUTIL_H
#define MKBA_FSUTIL_H

#include <signal.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdio.h>

#include "mkba/error.h"

/* ================================ inputs ================================
 *
 * Every input file (model, scenario, cohort, synth spec) is opened through
 * mkba_input_open, so that all of them refuse the same things the same way:
 * an input must be a regular file (or a symbolic link to one). A directory,
 * a named pipe (FIFO), a device (/dev/zero, /dev/tty) or a socket is
 * refused at once, before a byte is read: a FIFO without a writer would
 * block the open forever, /dev/zero never ends, and a pipe cannot be read
 * twice. The path is checked with stat() first (so a device is not even
 * opened), then opened with O_NONBLOCK (a FIFO put in its place meanwhile
 * does not block) and checked again on the open descriptor. */

/* Open 'path' for reading. 'what' names what was expected, for the
 * message ("a CSV file"). Returns NULL and fills *err (MKBA_EIO):
 * "path: cannot open: <strerror>", "path: is a directory; expected WHAT",
 * or "path: not a regular file (a FIFO); expected WHAT" (also "a character
 * device", "a block device", "a socket"). The caller fcloses the stream. */
FILE *mkba_input_open(const char *path, const char *what, mkba_error *err);

/* The whole of input 'path', read once through mkba_input_open: returns a
 * buffer of *len bytes plus a terminating NUL (the file may hold NULs
 * itself; caller frees), or NULL with *err filled (also "path: read
 * error: <strerror>"). */
char *mkba_input_read(const char *path, const char *what, size_t *len, mkba_error *err);

/* ============================= output files ============================= */

/* Create directory 'dir' and any missing parents (like mkdir -p), with mode
 * 0777 less the umask. An existing directory is fine. Fails with MKBA_EIO
 * ("dir: cannot create directory: Not a directory") when a component is a
 * regular file or cannot be created, and with MKBA_EINVAL for "". */
mkba_status mkba_mkdir_p(const char *dir, mkba_error *err);
/* The same, calling made(path, ctx) for each directory it creates, parents
 * first (pub.h removes them again when a run publishes nothing). */
mkba_status mkba_mkdir_p_made(const char *dir, void (*made)(const char *dir, void *ctx),
                              void *ctx, mkba_error *err);

/* The directory part of 'path': "." when it has no '/', "/" for "/x"
 * (caller frees). */
char *mkba_path_dir(const char *path);

/* The absolute canonical path of an existing file (realpath: no ".", ".."
 * or symbolic link in it), for provenance; "" when it cannot be found
 * (the file is gone, a directory on the way is not searchable). Caller
 * frees. */
char *mkba_path_canonical(const char *path);

typedef struct mkba_afile mkba_afile;

/* fsync 'path' (a file or a directory). Best effort: some file systems
 * refuse fsync on a directory (EINVAL), and what it makes durable is
 * complete and in place already, so a failure is no error of a write. */
void mkba_fsync_path(const char *path);

/* fsync the file 'path' (written and closed by another: a chart gnuplot
 * made): 0, or the errno of the open or the fsync (an I/O error, a full
 * disk of a network file system), which fails the file's write. EINVAL (a
 * file system that cannot sync) is no error, as for mkba_fsync_path. */
int mkba_fsync_file(const char *path);

/* Whether 'path' may become an output: not a symbolic link (MKBA_EINVAL:
 * "path: is a symbolic link; mkba neither replaces it nor writes through
 * it ..."), and, when it exists, a regular file or a directory (MKBA_EIO:
 * "path: cannot write: not a regular file (a device, pipe or socket)"). */
mkba_status mkba_output_check(const char *path, mkba_error *err);

/* Start an atomic write of 'path': creates "path.tmp.XXXXXX" (mkstemp) in
 * the same directory, with mode 0666 less the umask. Returns NULL and fills
 * *err (MKBA_EIO, "path: cannot write: <strerror>") when the temporary file
 * cannot be created, e.g. when the directory does not exist, and when
 * 'path' exists but is neither a regular file nor a directory ("path:
 * cannot write: not a regular file (a device, pipe or socket)": the rename
 * would replace it). The handle is
 * released by mkba_afile_commit() or mkba_afile_abort() (pub.h commits
 * many files together). Note: the umask is read by setting and restoring
 * it (POSIX has no other way), a short window in which another thread that
 * creates files would use umask 077. */
mkba_afile *mkba_afile_open(const char *path, mkba_error *err);

/* The stream to write to. Borrowed: do not fclose it. */
FILE *mkba_afile_fp(mkba_afile *f);

/* Finish the write: fflush, check ferror, fsync, fclose, rename the
 * temporary file onto 'path'. On any failure the temporary file is removed,
 * 'path' is left as it was, and *err says "path: cannot write: <strerror>"
 * (MKBA_EIO). Always releases 'f'. */
mkba_status mkba_afile_commit(mkba_afile *f, mkba_error *err);

/* Give up: close and remove the temporary file; 'path' is untouched.
 * Releases 'f'. NULL is a no-op. */
void mkba_afile_abort(mkba_afile *f);

/* The two phases of mkba_afile_commit, for committing files together with
 * others (pub.h): finish flushes, checks, fsyncs and closes (on failure
 * the temporary file is removed and *err names 'path'); publish renames
 * the finished file onto 'path' (the caller fsyncs the directory, once for
 * all the files of a set: mkba_fsync_path). Neither releases 'f'
 * (mkba_afile_abort does, and removes what is left). */
mkba_status mkba_afile_finish(mkba_afile *f, mkba_error *err);
mkba_status mkba_afile_publish(mkba_afile *f, mkba_error *err);

/* Before the finish of a set of files: flush 'f' and start its disk writes
 * without waiting for them (Linux's sync_file_range; elsewhere only the
 * flush), so that the fsyncs that follow find each file's writes under
 * way together instead of starting them one file at a time (a run's 25
 * tables committed in 2 ms instead of 4-6 ms). A flush error is kept and
 * reported by mkba_afile_finish. mkba_writeback_path does the same for a
 * closed file. Best effort, like mkba_fsync_path. */
void mkba_afile_writeback(mkba_afile *f);
void mkba_writeback_path(const char *path);

/* ============================ interrupted runs ============================
 *
 * A run stopped by Ctrl-C (SIGINT), SIGTERM or SIGHUP removes what it was
 * still writing: each temporary file of an atomic write, and each
 * temporary directory registered with mkba_tmp_track (with its contents),
 * then ends by the same signal. The outputs the user sees are the old
 * ones or the new ones, with no temporary files beside them. (SIGKILL
 * cannot be caught: it may leave "*.tmp.XXXXXX" files, never a half-written
 * output.) Only the main thread registers; threads that compute start with
 * these signals blocked (mkba_signals_block), so the handler runs in the
 * main thread and never meets the registry half-changed. */

/* Install the handlers (once, in main). */
void mkba_tmp_guard_signals(void);

/* Remove 'path' (a file, or a directory with its contents) when the run is
 * interrupted; mkba_tmp_untrack once it is gone or published. */
void mkba_tmp_track(const char *path);
void mkba_tmp_untrack(const char *path);

/* A directory the run created: removed on an interrupt only when it is
 * empty by then (never what others put there); untrack it once the run
 * has published into it or removed it. */
void mkba_tmp_track_dir(const char *dir);
void mkba_tmp_untrack_dir(const char *dir);

/* Remove a tracked 'path' now (a file, or a directory with its contents,
 * as the handler would; best effort) and untrack it. */
void mkba_tmp_remove(const char *path);

/* mkstemp() and mkdtemp() that track what they create, with the signals
 * blocked in between, so that no stop can fall between the two. */
int mkba_tmp_mkstemp(char *tmpl);
char *mkba_tmp_mkdtemp(char *tmpl);

/* The child process (pid > 0) that writes into a tracked directory, or 0
 * when there is none: an interrupt kills it (SIGKILL) and waits for it
 * before removing what it was writing. Set it with the signals blocked
 * from before the fork, clear it before the child is reaped (pid reuse). */
void mkba_tmp_child(pid_t pid);

/* Block the signals above in the calling thread, saving the old mask in
 * *old (for threads to inherit at pthread_create), and restore it. */
void mkba_signals_block(sigset_t *old);
void mkba_signals_restore(const sigset_t *old);

#endif
