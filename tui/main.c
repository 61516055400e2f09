/* wgmesh: the operator's program (CLI; the console comes with its issue). */
#include "tui/cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
