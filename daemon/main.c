/* wgmeshd: the wgmesh daemon. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("wgmeshd %s\n", WGM_VERSION);
		return 0;
	}
	fprintf(stderr, "wgmeshd: the daemon is being built; only --version works yet\n");
	return 1;
}
