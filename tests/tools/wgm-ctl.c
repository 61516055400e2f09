/* wgm-ctl SOCKET JSON: sends one control-socket request and prints the
 * reply on one line (tests use it for commands the CLI does not print raw).
 * Exit 0 when the reply says ok, 1 otherwise. */
#include <jansson.h>
#include <stdio.h>

#include "common/ctl/ctl_client.h"

int main(int argc, char **argv)
{
	json_error_t jerr;
	json_t *req, *reply = NULL;
	char err[256];
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: wgm-ctl SOCKET JSON\n");
		return 2;
	}
	req = json_loads(argv[2], 0, &jerr);
	if (!json_is_object(req)) {
		fprintf(stderr, "wgm-ctl: %s: not a JSON object\n", argv[2]);
		json_decref(req);
		return 2;
	}
	rc = wgm_ctl_call(argv[1], req, 10000, &reply, err, sizeof(err));
	json_decref(req);
	if (rc < 0 && !reply) {
		fprintf(stderr, "wgm-ctl: %s\n", err);
		return 1;
	}
	json_dumpf(reply, stdout, JSON_COMPACT);
	putchar('\n');
	rc = json_is_true(json_object_get(reply, "ok")) ? 0 : 1;
	json_decref(reply);
	return rc;
}
