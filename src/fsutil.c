/* fsutil.c - opening inputs, output directories and atomic file writes.
 *
 * Inputs are opened in one place (mkba_input_open) so that each reader
 * refuses what is not a regular file in the same way (see fsutil.h).
 *
 * An atomic write goes to a temporary file created with mkstemp() beside
 * the target (same directory, so the same file system) and is renamed onto
 * the target only after it was flushed, checked for write errors, synced
 * and closed. rename() replaces the target in one step, so readers never
 * see a partial file, and a failed run leaves the previous file intact. */
#define _GNU_SOURCE /* syscall() for getdents64 in the signal handler; sync_file_range */
#include "mkba/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkba/mem.h"

#define TMP_SUFFIX ".tmp.XXXXXX" /* mkstemp() template appended to the target */

struct mkba_afile {
    char *path;  /* the target the caller asked for */
    char *tmp;   /* the temporary file beside it */
    FILE *fp;    /* open stream on tmp; NULL once closed */
    int has_tmp; /* 1 while tmp exists on disk (not yet renamed or removed) */
    int flush_err; /* errno of a failed fflush in mkba_afile_writeback, for finish */
};

static mkba_status write_error(mkba_error *err, const char *path, int e)
{
    return mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot write: %s", strerror(e));
}

/* ================================ inputs ================================ */

/* What a file that is not a regular file is, for a message. */
static const char *file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a plain file";
}

/* MKBA_OK when 'st' is a regular file, else the error for 'path'. */
static mkba_status check_regular(const struct stat *st, const char *path, const char *what,
                                 mkba_error *err)
{
    if (S_ISREG(st->st_mode))
        return MKBA_OK;
    if (S_ISDIR(st->st_mode))
        return mkba_error_set(err, MKBA_EIO, path, 0, NULL, "is a directory; expected %s", what);
    return mkba_error_set(err, MKBA_EIO, path, 0, NULL, "not a regular file (%s); expected %s",
                          file_kind(st->st_mode), what);
}

FILE *mkba_input_open(const char *path, const char *what, mkba_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    if (check_regular(&st, path, what, err) != MKBA_OK)
        return NULL;
    /* The path may have changed since the stat: O_NONBLOCK keeps a FIFO
     * from blocking the open, and fstat checks what was really opened. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    FILE *fp = NULL;
    int flags;
    if (fstat(fd, &st) != 0 || (flags = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    } else if (check_regular(&st, path, what, err) == MKBA_OK && !(fp = fdopen(fd, "rb"))) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    }
    if (!fp)
        close(fd);
    return fp;
}

char *mkba_input_read(const char *path, const char *what, size_t *len, mkba_error *err)
{
    FILE *fp = mkba_input_open(path, what, err);
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = mkba_xmalloc(cap);
    while ((got = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (n + 1 == cap) {
            cap *= 2;
            buf = mkba_xrealloc(buf, cap);
        }
    }
    if (ferror(fp)) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "read error: %s", strerror(errno));
        fclose(fp);
        free(buf);
        return NULL;
    }
    fclose(fp); /* read-only: nothing to lose on close */
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ============================== mkdir -p ================================ */

/* Make one directory; an existing directory (also one we may not write,
 * such as "/") is success. Returns 0 or -1 with errno set; 'made' hears
 * of a directory this call created. */
static int make_one(const char *dir, void (*made)(const char *, void *), void *ctx)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0) {
        if (made)
            made(dir, ctx);
        return 0;
    }
    int e = errno;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        e = ENOTDIR;
    }
    errno = e;
    return -1;
}

mkba_status mkba_mkdir_p(const char *dir, mkba_error *err)
{
    return mkba_mkdir_p_made(dir, NULL, NULL, err);
}

mkba_status mkba_mkdir_p_made(const char *dir, void (*made)(const char *dir, void *ctx),
                              void *ctx, mkba_error *err)
{
    if (!dir || !*dir)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "empty directory name");
    char *p = mkba_xstrdup(dir);
    mkba_status st = MKBA_OK;
    /* Create each prefix ending before a '/', then the whole path. Starting
     * at p + 1 skips the root of an absolute path. */
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (make_one(p, made, ctx) != 0) {
            st = mkba_error_set(err, MKBA_EIO, dir, 0, NULL, "cannot create directory: %s",
                                strerror(errno));
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return st;
}

char *mkba_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? mkba_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
                 : mkba_xstrdup(".");
}

char *mkba_path_canonical(const char *path)
{
    char *real = path && *path ? realpath(path, NULL) : NULL;
    if (!real)
        return mkba_xstrdup("");
    char *copy = mkba_xstrdup(real); /* freed with free() like every mkba string */
    free(real);
    return copy;
}

/* ============================ atomic writes ============================= */

mkba_status mkba_output_check(const char *path, mkba_error *err)
{
    /* The rename at commit would replace a device, pipe or socket with a
     * regular file (as root, even /dev/null), and a symbolic link with the
     * file, its target keeping the old contents (/dev/stdout is a link):
     * refuse those. A directory fails at commit (phase 1, before any file
     * of a set is renamed). */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                              "is a symbolic link; mkba neither replaces it nor writes through "
                              "it (give the file's own name, or another one)");
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return mkba_error_set(err, MKBA_EIO, path, 0, NULL,
                              "cannot write: not a regular file (a device, pipe or socket)");
    return MKBA_OK;
}

mkba_afile *mkba_afile_open(const char *path, mkba_error *err)
{
    if (!path || !*path) {
        write_error(err, "", ENOENT);
        return NULL;
    }
    if (mkba_output_check(path, err) != MKBA_OK)
        return NULL;
    size_t n = strlen(path);
    char *tmp = mkba_xmalloc(n + sizeof TMP_SUFFIX);
    memcpy(tmp, path, n);
    memcpy(tmp + n, TMP_SUFFIX, sizeof TMP_SUFFIX);
    int fd = mkba_tmp_mkstemp(tmp);
    if (fd < 0) {
        write_error(err, path, errno);
        free(tmp);
        return NULL;
    }
    /* mkstemp() makes the file 0600; results are ordinary files, so give
     * them the mode open(..., 0666) would have: 0666 less the umask. */
    mode_t mask = umask(077);
    umask(mask);
    FILE *fp = NULL;
    if (fchmod(fd, 0666 & ~mask) != 0 || !(fp = fdopen(fd, "w"))) {
        write_error(err, path, errno);
        close(fd);
        mkba_tmp_remove(tmp);
        free(tmp);
        return NULL;
    }
    mkba_afile *f = mkba_xmalloc(sizeof *f);
    f->path = mkba_xstrdup(path);
    f->tmp = tmp;
    f->fp = fp;
    f->has_tmp = 1;
    f->flush_err = 0;
    return f;
}

FILE *mkba_afile_fp(mkba_afile *f)
{
    return f->fp;
}

/* Start the disk writes of what 'fd' holds, without waiting. Where the
 * system cannot (no sync_file_range), the fsync that follows does it all. */
static void start_writeback(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
}

void mkba_afile_writeback(mkba_afile *f)
{
    if (!f->fp || f->flush_err)
        return;
    errno = 0;
    if (fflush(f->fp) != 0)
        f->flush_err = errno ? errno : EIO;
    else
        start_writeback(fileno(f->fp));
}

void mkba_writeback_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        start_writeback(fd);
        (void)close(fd);
    }
}

/* Phase 1: get the bytes onto the disk and close. errno is cleared first
 * so that a write error recorded earlier (ferror) without a fresh errno is
 * reported as EIO rather than with a stale, unrelated reason. On failure
 * the temporary file is removed. */
mkba_status mkba_afile_finish(mkba_afile *f, mkba_error *err)
{
    int e = f->flush_err; /* a flush of mkba_afile_writeback failed: its reason */
    errno = 0;
    if (!e && (fflush(f->fp) != 0 || ferror(f->fp)))
        e = errno ? errno : EIO;
    else if (!e && fsync(fileno(f->fp)) != 0)
        e = errno;
    if (fclose(f->fp) != 0 && !e)
        e = errno ? errno : EIO;
    f->fp = NULL;
    /* rename() onto a directory fails; find that now, before any file of a
     * set is renamed (it is the likely way phase 2 could fail). */
    struct stat st;
    if (!e && stat(f->path, &st) == 0 && S_ISDIR(st.st_mode))
        e = EISDIR;
    if (!e)
        return MKBA_OK;
    mkba_tmp_remove(f->tmp);
    f->has_tmp = 0;
    return write_error(err, f->path, e);
}

int mkba_fsync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno;
    int e = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    (void)close(fd);
    return e;
}

void mkba_fsync_path(const char *path)
{
    (void)mkba_fsync_file(path);
}

/* fsync the directory holding 'path' so the rename itself is durable. */
static void sync_dir(const char *path)
{
    char *dir = mkba_path_dir(path);
    mkba_fsync_path(dir);
    free(dir);
}

/* Phase 2: move the finished temporary file into place. */
mkba_status mkba_afile_publish(mkba_afile *f, mkba_error *err)
{
    if (rename(f->tmp, f->path) != 0) {
        int e = errno;
        mkba_tmp_remove(f->tmp);
        f->has_tmp = 0;
        return write_error(err, f->path, e);
    }
    mkba_tmp_untrack(f->tmp);
    f->has_tmp = 0;
    return MKBA_OK;
}

/* Removes whatever of the temporary file is left and releases 'f'; after a
 * successful publish() nothing is left, so this is also the release. */
void mkba_afile_abort(mkba_afile *f)
{
    if (!f)
        return;
    if (f->fp)
        (void)fclose(f->fp); /* discarding: a close error does not matter */
    if (f->has_tmp)
        mkba_tmp_remove(f->tmp);
    free(f->path);
    free(f->tmp);
    free(f);
}

mkba_status mkba_afile_commit(mkba_afile *f, mkba_error *err)
{
    mkba_status st = mkba_afile_finish(f, err);
    if (st == MKBA_OK)
        st = mkba_afile_publish(f, err);
    if (st == MKBA_OK)
        sync_dir(f->path);
    mkba_afile_abort(f);
    return st;
}

/* ============================ interrupted runs ============================ */

static const int GUARDED[] = {SIGINT, SIGTERM, SIGHUP};
#define N_GUARDED (sizeof GUARDED / sizeof GUARDED[0])

/* The registry: changed only by the main thread with the guarded signals
 * blocked, read only by the handler (which runs in the main thread). */
static char **tracked;
static size_t n_tracked, cap_tracked;
static pid_t guard_pid; /* a forked child (gnuplot before exec) removes nothing */

static void guarded_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < N_GUARDED; i++)
        sigaddset(set, GUARDED[i]);
}

void mkba_signals_block(sigset_t *old)
{
    sigset_t set;
    guarded_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void mkba_signals_restore(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

void mkba_tmp_track(const char *path)
{
    char *copy = mkba_xstrdup(path);
    sigset_t old;
    mkba_signals_block(&old);
    if (n_tracked == cap_tracked) { /* the handler cannot run: blocked here and in workers */
        cap_tracked = cap_tracked ? 2 * cap_tracked : 16;
        tracked = mkba_xreallocarray(tracked, cap_tracked, sizeof *tracked);
    }
    tracked[n_tracked++] = copy;
    mkba_signals_restore(&old);
}

void mkba_tmp_untrack(const char *path)
{
    char *gone = NULL;
    sigset_t old;
    mkba_signals_block(&old);
    for (size_t i = n_tracked; i-- > 0;) {
        if (strcmp(tracked[i], path) == 0) {
            gone = tracked[i];
            /* keep the order: the handler removes the newest first, files
             * before the directories made earlier that hold them */
            memmove(tracked + i, tracked + i + 1, (--n_tracked - i) * sizeof *tracked);
            break;
        }
    }
    if (n_tracked == 0) { /* nothing left: release the array (no leak at exit) */
        free(tracked);
        tracked = NULL;
        cap_tracked = 0;
    }
    mkba_signals_restore(&old);
    free(gone);
}

/* The handler's removal (also mkba_tmp_remove's): async-signal-safe calls
 * only (unlinkat, openat, getdents64, close). A directory's entries are
 * read in batches and removed; reading restarts from the top until a batch
 * removes nothing, so entries are not skipped when the directory shrinks
 * under the read.
 * Depth is bounded: mkba's temporary directories are at most two deep. */
struct dirent64_linux {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void remove_at(int dirfd, const char *name, int depth)
{
    if (unlinkat(dirfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth > 4)
        return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    union {
        char b[2048];
        unsigned long long align; /* getdents64 records are 8-byte aligned */
    } u;
    char *buf = u.b;
    for (int pass = 0; pass < 64; pass++) {
        if (lseek(fd, 0, SEEK_SET) != 0)
            break;
        long n = syscall(SYS_getdents64, fd, buf, sizeof u.b);
        int removed = 0;
        for (long off = 0; off < n;) {
            struct dirent64_linux *d = (struct dirent64_linux *)(void *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
                continue;
            remove_at(fd, d->d_name, depth + 1);
            removed = 1;
        }
        if (!removed)
            break;
    }
    close(fd);
    (void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* A tracked directory that is removed only when empty (mkba_tmp_track_dir)
 * is kept in the registry with this byte in front of its path. */
#define EMPTY_DIR_MARK '\x01'

/* A child writing into a tracked directory (gnuplot), stopped before the
 * directory is removed: it could otherwise add a file after the removal
 * read the directory. */
static volatile pid_t child_pid;

void mkba_tmp_child(pid_t pid)
{
    child_pid = pid;
}

static void on_signal(int sig)
{
    int saved = errno;
    if (getpid() == guard_pid && child_pid > 0) {
        (void)kill(child_pid, SIGKILL);
        (void)waitpid(child_pid, NULL, 0);
    }
    if (getpid() == guard_pid) /* newest first: files before their directories */
        for (size_t i = n_tracked; i-- > 0;) {
            if (tracked[i][0] == EMPTY_DIR_MARK)
                (void)unlinkat(AT_FDCWD, tracked[i] + 1, AT_REMOVEDIR);
            else
                remove_at(AT_FDCWD, tracked[i], 0);
        }
    errno = saved;
    signal(sig, SIG_DFL); /* end by the same signal, so the caller sees it */
    raise(sig);
}

void mkba_tmp_guard_signals(void)
{
    guard_pid = getpid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    guarded_set(&sa.sa_mask); /* one handler at a time */
    for (size_t i = 0; i < N_GUARDED; i++) {
        struct sigaction was;
        /* a signal ignored by the parent (nohup) stays ignored */
        if (sigaction(GUARDED[i], NULL, &was) == 0 && was.sa_handler == SIG_IGN)
            continue;
        sigaction(GUARDED[i], &sa, NULL);
    }
}

/* The second half of mkba_tmp_mkstemp/mkdtemp: track what was made (NULL:
 * nothing), then unblock, keeping the errno of the call. */
static void track_made(const char *made, const sigset_t *old)
{
    int e = errno;
    if (made)
        mkba_tmp_track(made); /* blocks again: nested blocking is harmless */
    mkba_signals_restore(old);
    errno = e;
}

int mkba_tmp_mkstemp(char *tmpl)
{
    sigset_t old;
    mkba_signals_block(&old);
    int fd = mkstemp(tmpl);
    track_made(fd >= 0 ? tmpl : NULL, &old);
    return fd;
}

char *mkba_tmp_mkdtemp(char *tmpl)
{
    sigset_t old;
    mkba_signals_block(&old);
    char *dir = mkdtemp(tmpl);
    track_made(dir, &old);
    return dir;
}

void mkba_tmp_remove(const char *path)
{
    remove_at(AT_FDCWD, path, 0);
    mkba_tmp_untrack(path);
}

void mkba_tmp_track_dir(const char *dir)
{
    char *marked = mkba_xasprintf("%c%s", EMPTY_DIR_MARK, dir);
    mkba_tmp_track(marked);
    free(marked);
}

void mkba_tmp_untrack_dir(const char *dir)
{
    char *marked = mkba_xasprintf("%c%s", EMPTY_DIR_MARK, dir);
    mkba_tmp_untrack(marked);
    free(marked);
}
