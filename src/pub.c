/* pub.c - publishing a run's outputs together (see pub.h).
 *
 * Paths are compared in two ways, because each catches what the other
 * misses: by device and inode of the file a path reaches (a symbolic or
 * hard link to an input, "./x" against "x"), and by canonical location of
 * the directory entry (the real path of its directory plus its own name),
 * which also works for outputs that do not exist yet, e.g. two options
 * naming the same new file as "res/x" and "res/../res/x". */
#include "mkba/pub.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkba/fsutil.h"
#include "mkba/mem.h"

typedef struct pub_input {
    char *path, *canon;
    const char *kind;
    int has_id;
    dev_t dev;
    ino_t ino;
} pub_input;

typedef struct pub_out {
    char *path, *canon;
    const char *what;
    mkba_afile *af; /* a file written through mkba_pub_open, or NULL */
    char *src;      /* a file staged with mkba_pub_stage, or NULL */
} pub_out;

struct mkba_pub {
    pub_input *in;
    size_t n_in;
    pub_out *out;
    size_t n_out;
    char **gone; /* files to remove at commit */
    size_t n_gone;
    char **made; /* directories created, in order */
    size_t n_made;
    char **priv; /* private directories to remove at the end */
    size_t n_priv;
};

#define PUSH(arr, n, x)                                                                       \
    do {                                                                                      \
        (arr) = mkba_xreallocarray((arr), (n) + 1, sizeof *(arr));                           \
        (arr)[(n)++] = (x);                                                                   \
    } while (0)

mkba_pub *mkba_pub_new(void)
{
    return mkba_xcalloc(1, sizeof(mkba_pub));
}

/* ============================== paths ================================== */

/* The canonical location of the entry 'path' names: the real path of its
 * directory (of the nearest one that exists, the rest appended as given)
 * and its own name, without following a link that the entry itself may
 * be (a rename replaces the link). Caller frees. */
static char *canon_entry(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    char *p = mkba_xstrndup(path, n);
    const char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        char *r = realpath(p, NULL);
        if (r) {
            free(p);
            return r;
        }
        return p;
    }
    char *dir = mkba_path_dir(p);
    char *rd = realpath(dir, NULL);
    if (!rd)
        rd = strcmp(dir, p) == 0 ? mkba_xstrdup(dir) : canon_entry(dir);
    char *r = mkba_xasprintf("%s%s%s", rd, strcmp(rd, "/") == 0 ? "" : "/", base);
    free(rd);
    free(dir);
    free(p);
    return r;
}

void mkba_pub_input(mkba_pub *p, const char *path, const char *kind)
{
    if (!path || !*path)
        return;
    pub_input in = {.path = mkba_xstrdup(path), .canon = canon_entry(path), .kind = kind};
    struct stat st;
    if (stat(path, &st) == 0) {
        in.has_id = 1;
        in.dev = st.st_dev;
        in.ino = st.st_ino;
    }
    PUSH(p->in, p->n_in, in);
}

/* The input that 'path' (stat'ed as *st when exists) or its canonical
 * location 'canon' is, or NULL. */
static const pub_input *find_input(const mkba_pub *p, const char *canon, const struct stat *st)
{
    for (size_t i = 0; i < p->n_in; i++) {
        const pub_input *in = &p->in[i];
        if ((st && in->has_id && in->dev == st->st_dev && in->ino == st->st_ino) ||
            strcmp(in->canon, canon) == 0)
            return in;
    }
    return NULL;
}

const char *mkba_pub_input_kind(const mkba_pub *p, const char *path)
{
    struct stat st;
    char *c = canon_entry(path);
    const pub_input *in = find_input(p, c, stat(path, &st) == 0 ? &st : NULL);
    free(c);
    return in ? in->kind : NULL;
}

/* ============================== claims ================================= */

/* "--out" and the names inside it are the run's own; other outputs are
 * files the user named on the command line. */
static mkba_status refuse_input(const char *path, const pub_input *in, const char *what,
                                mkba_error *err)
{
    if (strcmp(what, MKBA_PUB_OUT_DIR) == 0)
        return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                              "is %s, and --out DIR writes or removes a file of that name (move "
                              "it, or write the results to another directory)",
                              in->kind);
    return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                          "is %s; %s would overwrite it (give %s another file name)", in->kind,
                          what, what);
}

/* Check 'path' for the output 'what'; on success *slot is the claim (an
 * existing one of the same 'what', or a new one). */
static mkba_status claim(mkba_pub *p, const char *path, const char *what, pub_out **slot,
                         mkba_error *err)
{
    if (!path || !*path)
        return mkba_error_set(err, MKBA_EIO, "", 0, NULL, "cannot write: %s", strerror(ENOENT));
    struct stat st;
    int exists = stat(path, &st) == 0;
    char *c = canon_entry(path);
    const pub_input *in = find_input(p, c, exists ? &st : NULL);
    mkba_status rc = MKBA_OK;
    if (in)
        rc = refuse_input(path, in, what, err);
    for (size_t i = 0; !rc && i < p->n_out; i++) {
        if (strcmp(p->out[i].canon, c) != 0)
            continue;
        if (strcmp(p->out[i].what, what) == 0 && !p->out[i].af && !p->out[i].src) {
            *slot = &p->out[i];
            free(c);
            return MKBA_OK;
        }
        rc = mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                            "%s and %s would both write this file (give one of them another "
                            "name)",
                            p->out[i].what, what);
    }
    if (!rc)
        rc = mkba_output_check(path, err);
    if (!rc && exists && S_ISDIR(st.st_mode))
        rc = mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot write: Is a directory");
    if (rc) {
        free(c);
        return rc;
    }
    pub_out o = {.path = mkba_xstrdup(path), .canon = c, .what = what};
    PUSH(p->out, p->n_out, o);
    *slot = &p->out[p->n_out - 1];
    return MKBA_OK;
}

mkba_status mkba_pub_claim(mkba_pub *p, const char *path, const char *what, mkba_error *err)
{
    pub_out *o;
    return claim(p, path, what, &o, err);
}

int mkba_pub_claimed(const mkba_pub *p, const char *path)
{
    char *c = canon_entry(path);
    size_t i = 0;
    while (i < p->n_out && strcmp(p->out[i].canon, c) != 0)
        i++;
    free(c);
    return i < p->n_out;
}

FILE *mkba_pub_open(mkba_pub *p, const char *path, const char *what, mkba_error *err)
{
    pub_out *o;
    if (claim(p, path, what, &o, err))
        return NULL;
    if (!(o->af = mkba_afile_open(path, err)))
        return NULL;
    return mkba_afile_fp(o->af);
}

mkba_status mkba_pub_stage(mkba_pub *p, const char *src, const char *path, const char *what,
                           mkba_error *err)
{
    pub_out *o;
    mkba_status st = claim(p, path, what, &o, err);
    if (!st)
        o->src = mkba_xstrdup(src);
    return st;
}

mkba_status mkba_pub_unlink(mkba_pub *p, const char *path, mkba_error *err)
{
    struct stat st;
    char *c = canon_entry(path);
    const pub_input *in = find_input(p, c, stat(path, &st) == 0 ? &st : NULL);
    free(c);
    if (in)
        return refuse_input(path, in, MKBA_PUB_OUT_DIR, err);
    PUSH(p->gone, p->n_gone, mkba_xstrdup(path));
    return MKBA_OK;
}

/* One directory of mkba_pub_guard_dir: 'rel' is its path below the top
 * ("" for the top itself). */
static mkba_status guard_in(const mkba_pub *p, const char *dir, const char *rel,
                            int (*owns)(const char *), int depth, mkba_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return MKBA_OK;
    mkba_status st = MKBA_OK;
    struct dirent *e;
    while (!st && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *r = mkba_xasprintf("%s%s%s", rel, *rel ? "/" : "", e->d_name);
        if (owns(r)) {
            char *full = mkba_xasprintf("%s/%s", dir, e->d_name);
            struct stat sb, lb;
            char *c = canon_entry(full);
            int exists = stat(full, &sb) == 0;
            const pub_input *in = find_input(p, c, exists ? &sb : NULL);
            if (in)
                st = refuse_input(full, in, MKBA_PUB_OUT_DIR, err);
            else if (exists && S_ISDIR(sb.st_mode) && depth < 2 && lstat(full, &lb) == 0 &&
                     !S_ISLNK(lb.st_mode))
                st = guard_in(p, full, r, owns, depth + 1, err);
            free(c);
            free(full);
        }
        free(r);
    }
    closedir(d);
    return st;
}

mkba_status mkba_pub_guard_dir(mkba_pub *p, const char *dir, int (*owns)(const char *rel),
                               mkba_error *err)
{
    return guard_in(p, dir, "", owns, 0, err);
}

/* ============================ directories ============================== */

static void made_dir(const char *dir, void *pub)
{
    mkba_pub *p = pub;
    mkba_tmp_track_dir(dir); /* an interrupt removes it too, when empty */
    PUSH(p->made, p->n_made, mkba_xstrdup(dir));
}

mkba_status mkba_pub_mkdir(mkba_pub *p, const char *dir, int no_link, mkba_error *err)
{
    struct stat st;
    if (dir && no_link && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
        return mkba_error_set(err, MKBA_EINVAL, dir, 0, NULL,
                              "is a symbolic link; mkba does not write through it (remove the "
                              "link, or write the results to another directory)");
    return mkba_mkdir_p_made(dir, made_dir, p, err);
}

void mkba_pub_private(mkba_pub *p, const char *dir)
{
    PUSH(p->priv, p->n_priv, mkba_xstrdup(dir));
}

/* ============================== commit ================================= */

/* Whether the directory entry 'path' can be replaced or removed: its
 * directory must be writable (a read-only file system, a directory of
 * someone else's), and in a sticky directory (/tmp, a shared folder) an
 * existing file must be ours or the directory's owner's. Found in phase 1,
 * so that no rename of phase 2 fails on it. Returns 0 or an errno. */
static int unreplaceable(const char *path)
{
    char *dir = mkba_path_dir(path);
    struct stat d, f;
    int e = 0;
    if (access(dir, W_OK | X_OK) != 0)
        e = errno;
    else if (geteuid() != 0 && stat(dir, &d) == 0 && (d.st_mode & S_ISVTX) &&
             lstat(path, &f) == 0 && f.st_uid != geteuid() && d.st_uid != geteuid())
        e = EPERM;
    free(dir);
    return e;
}

/* Phase 1 for one output: on the disk, closed, its target no directory. */
static mkba_status finish(pub_out *o, mkba_error *err)
{
    int e = o->af || o->src ? unreplaceable(o->path) : 0;
    if (e)
        return mkba_error_set(err, MKBA_EIO, o->path, 0, NULL, "cannot write: %s", strerror(e));
    if (o->af)
        return mkba_afile_finish(o->af, err);
    if (!o->src) /* claimed only, never written: nothing to publish */
        return MKBA_OK;
    struct stat st;
    if (stat(o->src, &st) != 0)
        return mkba_error_set(err, MKBA_EIO, o->path, 0, NULL, "cannot write: %s",
                              strerror(errno));
    if ((e = mkba_fsync_file(o->src)) != 0)
        return mkba_error_set(err, MKBA_EIO, o->path, 0, NULL, "cannot write: %s", strerror(e));
    if (stat(o->path, &st) == 0 && S_ISDIR(st.st_mode))
        return mkba_error_set(err, MKBA_EIO, o->path, 0, NULL, "cannot write: Is a directory");
    return MKBA_OK;
}

/* Phase 2 for one output. */
static mkba_status publish(pub_out *o, mkba_error *err)
{
    if (o->af)
        return mkba_afile_publish(o->af, err);
    if (o->src && rename(o->src, o->path) != 0)
        return mkba_error_set(err, MKBA_EIO, o->path, 0, NULL, "cannot write: %s",
                              strerror(errno));
    return MKBA_OK;
}

/* fsync each directory that an output was renamed into or removed from,
 * once (a run has a handful of directories and many files), so that the
 * renames themselves are durable. */
static void sync_dirs(const mkba_pub *p)
{
    char **done = mkba_xcalloc(p->n_out + p->n_gone + 1, sizeof *done);
    size_t n = 0;
    for (size_t i = 0; i < p->n_out + p->n_gone; i++) {
        const pub_out *o = i < p->n_out ? &p->out[i] : NULL;
        if (o && !o->af && !o->src)
            continue; /* claimed, never written */
        char *dir = mkba_path_dir(o ? o->path : p->gone[i - p->n_out]);
        size_t k = 0;
        while (k < n && strcmp(done[k], dir) != 0)
            k++;
        if (k < n) {
            free(dir);
            continue;
        }
        mkba_fsync_path(dir);
        done[n++] = dir;
    }
    for (size_t k = 0; k < n; k++)
        free(done[k]);
    free(done);
}

/* Release 'p'; 'undo': also remove the directories the run created. */
static void release(mkba_pub *p, int undo)
{
    for (size_t i = 0; i < p->n_out; i++) {
        mkba_afile_abort(p->out[i].af);
        free(p->out[i].path);
        free(p->out[i].canon);
        free(p->out[i].src);
    }
    for (size_t i = 0; i < p->n_priv; i++) {
        mkba_tmp_remove(p->priv[i]);
        free(p->priv[i]);
    }
    for (size_t i = p->n_made; i-- > 0;) {
        if (undo)
            (void)rmdir(p->made[i]); /* only when empty: never what others put there */
        mkba_tmp_untrack_dir(p->made[i]);
        free(p->made[i]);
    }
    for (size_t i = 0; i < p->n_in; i++) {
        free(p->in[i].path);
        free(p->in[i].canon);
    }
    for (size_t i = 0; i < p->n_gone; i++)
        free(p->gone[i]);
    free(p->in);
    free(p->out);
    free(p->gone);
    free(p->made);
    free(p->priv);
    free(p);
}

mkba_status mkba_pub_commit(mkba_pub *p, mkba_error *err)
{
    mkba_status st = MKBA_OK;
    for (size_t i = 0; i < p->n_out; i++) /* the disk writes of all under way at once */
        if (p->out[i].af)
            mkba_afile_writeback(p->out[i].af);
        else if (p->out[i].src)
            mkba_writeback_path(p->out[i].src);
    for (size_t i = 0; i < p->n_out && !st; i++)
        st = finish(&p->out[i], err);
    for (size_t i = 0; i < p->n_gone && !st; i++) {
        int e = unreplaceable(p->gone[i]);
        if (e)
            st = mkba_error_set(err, MKBA_EIO, p->gone[i], 0, NULL, "cannot remove: %s",
                                strerror(e));
    }
    if (st) {
        release(p, 1);
        return st;
    }
    /* No interrupt between the first rename and the last removal. */
    sigset_t old;
    mkba_signals_block(&old);
    for (size_t i = 0; i < p->n_out && !st; i++)
        st = publish(&p->out[i], err);
    for (size_t i = 0; i < p->n_gone && !st; i++)
        (void)unlink(p->gone[i]);
    mkba_signals_restore(&old);
    if (!st)
        sync_dirs(p);
    release(p, 0);
    return st;
}

void mkba_pub_abort(mkba_pub *p)
{
    if (p)
        release(p, 1);
}
