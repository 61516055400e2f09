/* wgmesh: the operator's console and CLI. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0)) {
		printf("wgmesh %s\n", WGM_VERSION);
		return 0;
	}
	fprintf(stderr, "wgmesh: only 'version' works yet\n");
	return 2;
}
