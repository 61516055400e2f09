#include "common/config/statefile.h"

#include "common/util/err.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *path, const char *what, int errnum)
{
	wgm_err(0, err, errlen, "%s: %s: %s", path, what, strerror(errnum));
}

int wgm_statefile_ensure_dir(const char *dir, mode_t mode, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf)) {
		set_err(err, errlen, dir, "cannot create directory", ENAMETOOLONG);
		return -ENAMETOOLONG;
	}
	memcpy(buf, dir, len + 1);
	/* Walk the components so parents come first, like mkdir -p. */
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST) {
			int e = errno;
			set_err(err, errlen, buf, "cannot create directory", e);
			return -e;
		}
		buf[i] = saved;
	}
	struct stat st;
	if (stat(dir, &st) < 0) {
		int e = errno;
		set_err(err, errlen, dir, "cannot create directory", e);
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		set_err(err, errlen, dir, "cannot create directory", ENOTDIR);
		return -ENOTDIR;
	}
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The rename is only durable once the directory entry itself is on disk. */
static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* SYNC: fsync the file and the directory (survives a power loss), or only
 * the atomic rename (survives a crash of the process). */
static int write_file(const char *path, const void *data, size_t len, mode_t mode, bool sync, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	int fd = -1, ret;
	bool tmp_exists = false;

	if (strlen(path) + 16 >= sizeof(tmp)) {
		set_err(err, errlen, path, "cannot write", ENAMETOOLONG);
		return -ENAMETOOLONG;
	}
	{
		char copy[PATH_MAX];
		snprintf(copy, sizeof(copy), "%s", path);
		snprintf(dir, sizeof(dir), "%s", dirname(copy));
	}
	ret = wgm_statefile_ensure_dir(dir, WGM_STATEFILE_DIR_MODE, err, errlen);
	if (ret < 0)
		return ret;

	{
		char base[PATH_MAX];
		snprintf(base, sizeof(base), "%s", path);
		int n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, basename(base));
		if (n < 0 || (size_t)n >= sizeof(tmp)) {
			set_err(err, errlen, path, "cannot write", ENAMETOOLONG);
			return -ENAMETOOLONG;
		}
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		set_err(err, errlen, path, "cannot create temporary file", -ret);
		goto out;
	}
	tmp_exists = true;
	if (fchmod(fd, mode) < 0) {
		ret = -errno;
		set_err(err, errlen, tmp, "cannot set mode", -ret);
		goto out;
	}
	ret = write_all(fd, data, len);
	if (ret < 0) {
		set_err(err, errlen, tmp, "cannot write", -ret);
		goto out;
	}
	if (sync && fsync(fd) < 0) {
		ret = -errno;
		set_err(err, errlen, tmp, "cannot sync", -ret);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		set_err(err, errlen, tmp, "cannot close", -ret);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		set_err(err, errlen, path, "cannot replace", -ret);
		goto out;
	}
	tmp_exists = false;
	ret = sync ? fsync_dir(dir) : 0;
	if (ret < 0)
		set_err(err, errlen, dir, "cannot sync directory", -ret);
out:
	if (fd >= 0)
		close(fd);
	if (tmp_exists)
		unlink(tmp);
	return ret;
}

int wgm_statefile_write(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t errlen)
{
	return write_file(path, data, len, mode, true, err, errlen);
}

static int write_json(const char *path, const json_t *json, mode_t mode, bool sync, char *err, size_t errlen)
{
	char *text = json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *line;
	size_t len;
	int ret;

	if (!text) {
		set_err(err, errlen, path, "cannot serialise JSON", ENOMEM);
		return -ENOMEM;
	}
	len = strlen(text);
	/* Room for the trailing newline text files are expected to have. A copy
	 * rather than realloc: the text may hold keys, and every copy is wiped. */
	line = malloc(len + 2);
	if (line) {
		memcpy(line, text, len);
		line[len] = '\n';
		line[len + 1] = '\0';
	}
	sodium_memzero(text, len);
	free(text);
	if (!line) {
		set_err(err, errlen, path, "cannot serialise JSON", ENOMEM);
		return -ENOMEM;
	}
	ret = write_file(path, line, len + 1, mode, sync, err, errlen);
	sodium_memzero(line, len + 1);
	free(line);
	return ret;
}

int wgm_statefile_write_json(const char *path, const json_t *json, mode_t mode, char *err, size_t errlen)
{
	return write_json(path, json, mode, true, err, errlen);
}

int wgm_statefile_write_json_unsynced(const char *path, const json_t *json, mode_t mode, char *err, size_t errlen)
{
	return write_json(path, json, mode, false, err, errlen);
}

int wgm_statefile_read_json(const char *path, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *json;

	*out = NULL;
	json = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (json) {
		*out = json;
		return 0;
	}
	/* jansson reports a missing or unreadable file as a parse error too;
	 * tell those apart so callers can treat "no state yet" as normal. */
	if (access(path, R_OK) < 0) {
		int e = errno;
		set_err(err, errlen, path, "cannot read", e);
		return -e;
	}
	if (err && errlen)
		snprintf(err, errlen, "%s: invalid or truncated JSON at line %d: %s", path, jerr.line, jerr.text);
	return -EBADMSG;
}
