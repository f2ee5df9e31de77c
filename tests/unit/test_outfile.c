/*
 * test_outfile.c: output files written beside their name and renamed into
 * place (mednec/outfile.h): the old file stays whole until the commit,
 * nothing is left behind, devices are written in place or refused, an
 * output that is the input is refused by any name, permissions, and every
 * error names the path and the reason.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "mednec.h"

static char tmpdir[] = "/tmp/mn_outfile_XXXXXX";

static const char *path_of(const char *name)
{
    static char p[4][300];
    static int next;
    char *out = p[next++ % 4];
    snprintf(out, 300, "%s/%s", tmpdir, name);
    return out;
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(path_of(name), "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_commit_and_abort(void)
{
    char out[300];
    mn_outfile *f = NULL;
    mn_error err;
    struct stat st;
    const char *temp;

    snprintf(out, sizeof(out), "%s", path_of("a.txt"));
    put("a.txt", "old\n");
    mn_error_clear(&err);
    CHECK_INT(mn_outfile_open(&f, out, NULL, &err), MN_OK);
    temp = mn_outfile_temp_path(f);
    CHECK(temp != NULL);
    CHECK_STR(mn_outfile_path(f), out);
    if (temp) {
        CHECK(strncmp(temp, out, strlen(out)) == 0);
        CHECK_CONTAINS(temp, ".tmp-");
        CHECK(stat(temp, &st) == 0);
    }
    CHECK_INT(mn_outfile_write(f, "new ", 4, &err), MN_OK);
    CHECK_INT(mn_outfile_write(f, "text\n", 5, &err), MN_OK);
    /* until the commit the old file is whole */
    CHECK(mn_t_file_is(out, "old\n"));
    CHECK_INT(mn_outfile_commit(f, &err), MN_OK);
    CHECK(mn_outfile_temp_path(f) == NULL);
    CHECK(mn_t_file_is(out, "new text\n"));
    /* nothing to do after a commit */
    CHECK_INT(mn_outfile_write(f, "x", 1, &err), MN_EINVAL);
    CHECK_INT(mn_outfile_commit(f, &err), MN_EINVAL);
    mn_outfile_free(f);
    CHECK(mn_t_file_is(out, "new text\n"));
    CHECK_INT(mn_t_count_prefix(tmpdir, "a.txt"), 1);

    /* freed without a commit: the temporary file goes, the old stays */
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, out, NULL, &err), MN_OK);
    CHECK_INT(mn_outfile_write(f, "half", 4, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(mn_t_file_is(out, "new text\n"));
    CHECK_INT(mn_t_count_prefix(tmpdir, "a.txt"), 1);

    /* a new file, empty output */
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, path_of("empty.txt"), NULL, &err), MN_OK);
    CHECK_INT(mn_outfile_commit(f, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(mn_t_file_is(path_of("empty.txt"), ""));
    mn_outfile_free(NULL);
}

static void test_permissions(void)
{
    mn_outfile *f = NULL;
    mn_outfile_options o = MN_OUTFILE_OPTIONS_INIT;
    mn_error err;
    struct stat st;
    mode_t old = umask(027);

    /* a new file: 0666 less the umask, as fopen would make it */
    CHECK_INT(mn_outfile_open(&f, path_of("p1"), NULL, &err), MN_OK);
    CHECK_INT(mn_outfile_commit(f, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(stat(path_of("p1"), &st) == 0 && (st.st_mode & 0777) == 0640);
    /* options.mode */
    o.mode = 0600;
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, path_of("p2"), &o, &err), MN_OK);
    CHECK_INT(mn_outfile_commit(f, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(stat(path_of("p2"), &st) == 0 && (st.st_mode & 0777) == 0600);
    /* a replaced file keeps its own */
    put("p3", "x");
    chmod(path_of("p3"), 0604);
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, path_of("p3"), NULL, &err), MN_OK);
    CHECK_INT(mn_outfile_commit(f, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(stat(path_of("p3"), &st) == 0 && (st.st_mode & 0777) == 0604);
    /* a file this user may not write is not replaced, though the folder
     * may be written (as root: checked as nobody, in a child) */
    chmod(path_of("p3"), 0444);
    chmod(tmpdir, 0777);
    {
        pid_t pid = fork();
        int status = 0;
        if (pid == 0) {
            int rc;
            if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
                _exit(77);
            rc = mn_outfile_open(&f, path_of("p3"), NULL, &err);
            mn_outfile_free(f);
            _exit(rc == MN_EIO && !strcmp(err.message, "cannot write: "
                                                       "Permission denied")
                      ? 0
                      : 1);
        }
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
            fprintf(stderr, "note: cannot become nobody: read-only file not "
                            "tested\n");
        else
            CHECK_INT(WEXITSTATUS(status), 0);
    }
    chmod(tmpdir, 0700);
    CHECK_INT(mn_t_count_prefix(tmpdir, "p3"), 1);
    umask(old);
}

static void test_refused(void)
{
    mn_outfile *f = NULL;
    mn_outfile_options o = MN_OUTFILE_OPTIONS_INIT;
    mn_error err;
    struct stat st;
    char fifo[300];

    /* a directory */
    mn_error_clear(&err);
    CHECK_INT(mn_outfile_open(&f, tmpdir, NULL, &err), MN_EINVAL);
    CHECK(f == NULL);
    CHECK_STR(err.where, tmpdir);
    CHECK_STR(err.message, "is a directory");
    /* a FIFO: refused, or written in place when allowed */
    snprintf(fifo, sizeof(fifo), "%s", path_of("fifo"));
    CHECK_INT(mkfifo(fifo, 0644), 0);
    mn_error_clear(&err);
    CHECK_INT(mn_outfile_open(&f, fifo, NULL, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "not a regular file");
    CHECK_STR(err.where, fifo);
    CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK_INT(mn_t_count_prefix(tmpdir, "fifo"), 1);
    /* a folder that does not exist: the reason */
    mn_error_clear(&err);
    CHECK_INT(mn_outfile_open(&f, path_of("no/such/x"), NULL, &err), MN_EIO);
    CHECK_CONTAINS(err.message, "cannot create a temporary file beside it: "
                                "No such file or directory");
    CHECK_CONTAINS(err.where, "no/such/x");
    /* misuse */
    CHECK_INT(mn_outfile_open(NULL, "x", NULL, &err), MN_EINVAL);
    CHECK_INT(mn_outfile_open(&f, NULL, NULL, &err), MN_EINVAL);
    CHECK_INT(mn_outfile_open(&f, "", NULL, &err), MN_EINVAL);
    o.version = 99;
    CHECK_INT(mn_outfile_open(&f, path_of("v"), &o, &err), MN_EVERSION);
    CHECK(f == NULL);
    CHECK_INT(mn_outfile_write(NULL, "x", 1, &err), MN_EINVAL);
    CHECK_INT(mn_outfile_commit(NULL, &err), MN_EINVAL);
    CHECK(mn_outfile_temp_path(NULL) == NULL);
}

static void test_devices_in_place(void)
{
    mn_outfile *f = NULL;
    mn_outfile_options o = MN_OUTFILE_OPTIONS_INIT;
    mn_error err;
    struct stat st;

    o.allow_special = 1;
    mn_error_clear(&err);
    CHECK_INT(mn_outfile_open(&f, "/dev/null", &o, &err), MN_OK);
    CHECK(mn_outfile_temp_path(f) == NULL);
    CHECK_INT(mn_outfile_write(f, "abc", 3, &err), MN_OK);
    CHECK_INT(mn_outfile_commit(f, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    /* a full disk: the path and the reason; then the handle refuses */
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, "/dev/full", &o, &err), MN_OK);
    CHECK_INT(mn_outfile_write(f, "abc", 3, &err), MN_EIO);
    CHECK_STR(err.where, "/dev/full");
    CHECK_STR(err.message, "cannot write: No space left on device");
    CHECK_INT(mn_outfile_write(f, "abc", 3, &err), MN_EINVAL);
    CHECK_INT(mn_outfile_commit(f, &err), MN_EINVAL);
    mn_outfile_free(f);
    CHECK(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
}

static void test_input_refused(void)
{
    mn_outfile *f = NULL;
    mn_outfile_options o = MN_OUTFILE_OPTIONS_INIT;
    mn_error err;
    char in[300];
    char dotted[400];
    struct stat st;
    int fd;
    int fds[2];

    snprintf(in, sizeof(in), "%s", path_of("in.jsonl"));
    put("in.jsonl", "input\n");
    put("other.jsonl", "other\n");
    CHECK_INT(symlink(in, path_of("in-link")), 0);
    CHECK_INT(link(in, path_of("in-hard")), 0);
    fd = open(in, O_RDONLY);
    CHECK(fd >= 0);
    /* the input is the second of two */
    fds[0] = STDERR_FILENO;
    fds[1] = fd;
    o.inputs = fds;
    o.n_inputs = 2;
    snprintf(dotted, sizeof(dotted), "%s/./in.jsonl", tmpdir);
    const char *same[] = {in, dotted, path_of("in-link"), path_of("in-hard")};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        mn_error_clear(&err);
        f = NULL;
        CHECK_INT(mn_outfile_open(&f, same[i], &o, &err), MN_EINVAL);
        CHECK_CONTAINS(err.message, "is the input");
        CHECK_STR(err.where, same[i]);
        CHECK(f == NULL);
    }
    CHECK(mn_t_file_is(in, "input\n"));
    /* another file is fine; so is the input when not refused */
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, path_of("other.jsonl"), &o, &err), MN_OK);
    mn_outfile_free(f);
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, in, NULL, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(mn_t_file_is(in, "input\n"));
    close(fd);

    /* through a link the file it names is replaced and the link stays */
    f = NULL;
    CHECK_INT(mn_outfile_open(&f, path_of("in-link"), NULL, &err), MN_OK);
    CHECK_INT(mn_outfile_write(f, "via link\n", 9, &err), MN_OK);
    CHECK_INT(mn_outfile_commit(f, &err), MN_OK);
    mn_outfile_free(f);
    CHECK(mn_t_file_is(in, "via link\n"));
    CHECK(lstat(path_of("in-link"), &st) == 0 && S_ISLNK(st.st_mode));
    /* a link to nowhere */
    CHECK_INT(symlink(path_of("nowhere/x"), path_of("dangling")), 0);
    mn_error_clear(&err);
    CHECK_INT(mn_outfile_open(&f, path_of("dangling"), NULL, &err), MN_EIO);
    CHECK_CONTAINS(err.message, "cannot follow the link: No such file");
}

/* The KB writer refuses a device or FIFO before it builds (it renamed
 * the KB over it). */
static void test_build_write_refuses(void)
{
    mn_build *b = NULL;
    mn_error err;
    struct stat st;
    char fifo[300];

    snprintf(fifo, sizeof(fifo), "%s", path_of("kb.fifo"));
    CHECK_INT(mkfifo(fifo, 0644), 0);
    mn_error_clear(&err);
    CHECK_INT(mn_build_new(&b, NULL, &err), MN_OK);
    CHECK_INT(mn_build_write(b, fifo, &err), MN_EINVAL);
    CHECK_STR(err.where, fifo);
    CHECK_CONTAINS(err.message, "not a regular file");
    CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK_INT(mn_build_write(b, tmpdir, &err), MN_EINVAL);
    CHECK_STR(err.message, "is a directory");
    CHECK_INT(mn_t_count_prefix(tmpdir, "kb.fifo"), 1);
    mn_build_free(b);
}

int main(void)
{
    char cmd[400];

    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_commit_and_abort);
    RUN(test_permissions);
    RUN(test_refused);
    RUN(test_devices_in_place);
    RUN(test_input_refused);
    RUN(test_build_write_refuses);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    DONE();
}
