/* fsutil.c - output directories and atomic file writes.
 *
 * An atomic write goes to a temporary file created with mkstemp() beside
 * the target (same directory, so the same file system) and is renamed onto
 * the target only after it was flushed, checked for write errors, synced
 * and closed. rename() replaces the target in one step, so readers never
 * see a partial file, and a failed run leaves the previous file intact. */
#include "mkba/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "mkba/mem.h"

#define TMP_SUFFIX ".tmp.XXXXXX" /* mkstemp() template appended to the target */

struct mkba_afile {
    char *path;  /* the target the caller asked for */
    char *tmp;   /* the temporary file beside it */
    FILE *fp;    /* open stream on tmp; NULL once closed */
    int has_tmp; /* 1 while tmp exists on disk (not yet renamed or removed) */
};

static mkba_status write_error(mkba_error *err, const char *path, int e)
{
    return mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot write: %s", strerror(e));
}

/* ============================== mkdir -p ================================ */

/* Make one directory; an existing directory (also one we may not write,
 * such as "/") is success. Returns 0 or -1 with errno set. */
static int make_one(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0)
        return 0;
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
        if (make_one(p) != 0) {
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

/* ============================ atomic writes ============================= */

mkba_afile *mkba_afile_open(const char *path, mkba_error *err)
{
    if (!path || !*path) {
        write_error(err, "", ENOENT);
        return NULL;
    }
    /* The rename at commit would replace a device, pipe or socket with a
     * regular file (as root, even /dev/null): refuse those. A directory
     * fails at commit (phase 1, before any file of a set is renamed). */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL,
                       "cannot write: not a regular file (a device, pipe or socket)");
        return NULL;
    }
    size_t n = strlen(path);
    char *tmp = mkba_xmalloc(n + sizeof TMP_SUFFIX);
    memcpy(tmp, path, n);
    memcpy(tmp + n, TMP_SUFFIX, sizeof TMP_SUFFIX);
    int fd = mkstemp(tmp);
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
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    mkba_afile *f = mkba_xmalloc(sizeof *f);
    f->path = mkba_xstrdup(path);
    f->tmp = tmp;
    f->fp = fp;
    f->has_tmp = 1;
    return f;
}

FILE *mkba_afile_fp(mkba_afile *f)
{
    return f->fp;
}

/* Phase 1: get the bytes onto the disk and close. errno is cleared first
 * so that a write error recorded earlier (ferror) without a fresh errno is
 * reported as EIO rather than with a stale, unrelated reason. On failure
 * the temporary file is removed. */
static mkba_status finish(mkba_afile *f, mkba_error *err)
{
    int e = 0;
    errno = 0;
    if (fflush(f->fp) != 0 || ferror(f->fp))
        e = errno ? errno : EIO;
    else if (fsync(fileno(f->fp)) != 0)
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
    unlink(f->tmp);
    f->has_tmp = 0;
    return write_error(err, f->path, e);
}

/* fsync the directory holding 'path' so the rename itself is durable.
 * Best effort: some file systems refuse fsync on a directory (EINVAL), and
 * the file is already complete and in place, so a failure here is not an
 * error of the write. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? mkba_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : mkba_xstrdup(".");
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        (void)close(fd);
    }
    free(dir);
}

/* Phase 2: move the finished temporary file into place. */
static mkba_status publish(mkba_afile *f, mkba_error *err)
{
    if (rename(f->tmp, f->path) != 0) {
        int e = errno;
        unlink(f->tmp);
        f->has_tmp = 0;
        return write_error(err, f->path, e);
    }
    f->has_tmp = 0;
    sync_dir(f->path);
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
        (void)unlink(f->tmp);
    free(f->path);
    free(f->tmp);
    free(f);
}

mkba_status mkba_afile_commit(mkba_afile *f, mkba_error *err)
{
    mkba_status st = finish(f, err);
    if (st == MKBA_OK)
        st = publish(f, err);
    mkba_afile_abort(f);
    return st;
}

mkba_status mkba_afile_commit_all(mkba_afile **files, size_t n, mkba_error *err)
{
    mkba_status st = MKBA_OK;
    for (size_t i = 0; i < n && st == MKBA_OK; i++)
        st = finish(files[i], err);
    for (size_t i = 0; i < n && st == MKBA_OK; i++)
        st = publish(files[i], err);
    for (size_t i = 0; i < n; i++)
        mkba_afile_abort(files[i]);
    return st;
}
