/*
 * fcgi_trivial.c: the ceiling of catalogd's architecture.  A do-nothing
 * FastCGI responder that answers every request with one fixed JSON body
 * and catalogd's own headers, behind the same kind of pool: one process
 * binds a unix socket, forks N workers that all accept on it (FCGX_*), and
 * waits for them.  SIGTERM/SIGINT to the parent stops and reaps them all.
 *
 * usage: fcgi_trivial SOCKET WORKERS [BODY_FILE]
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

/* About the size of a catalogd read answer (one runtime). */
static const char default_body[] =
    "{\"request_id\":\"00000000-0000-4000-8000-000000000000\","
    "\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
    "\"data\":{\"cgroup_parent\":\"/examplelimit/\",\"cpu_nanos\":1000,"
    "\"memory_bytes\":10000000,\"name\":\"bench-runtime-0000000000\","
    "\"oci_runtime\":\"example-oci-runtime\",\"rootless\":false,"
    "\"type\":\"container\"},\"wrap_info\":null,\"warnings\":null,"
    "\"auth\":null,\"mount_type\":\"system\",\"padding\":\"xxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxx\"}\n";

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static char *
read_body(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*b;
	long	 n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	if ((b = malloc((size_t)n + 1)) == NULL ||
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
worker(int fd, const char *body, size_t len, pid_t parent)
{
	FCGX_Request	 fx;
	char		 head[256];
	int		 n;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fx, fd, 0) != 0)
		_exit(1);
	/* FCGX_FPrintF has no %zu: format with snprintf, write with PutStr. */
	n = snprintf(head, sizeof head, "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n\r\n");
	while (FCGX_Accept_r(&fx) >= 0) {
		FCGX_PutStr(head, n, fx.out);
		FCGX_PutStr(body, (int)len, fx.out);
		FCGX_Finish_r(&fx);
	}
	_exit(0);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct sigaction	 sa;
	const char		*body = default_body;
	size_t			 len = sizeof default_body - 1;
	pid_t			*kids, pid, self = getpid();
	int			 fd, n, i, alive;

	if (argc < 3 || argc > 4 || (n = atoi(argv[2])) < 1 || n > 256) {
		fprintf(stderr, "usage: fcgi_trivial SOCKET WORKERS "
		    "[BODY_FILE]\n");
		return 2;
	}
	if (argc == 4)
		body = read_body(argv[3], &len);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "socket path too long\n");
		return 1;
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, 1024) == -1) {
		perror(argv[1]);
		return 1;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((kids = calloc((size_t)n, sizeof *kids)) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("fork");
			stopping = 1;
			break;
		}
		if (pid == 0)
			worker(fd, body, len, self);
		kids[i] = pid;
	}
	/* Wait for the workers; on a signal, stop them and keep waiting. */
	for (alive = i; alive > 0;) {
		if (stopping == 1) {
			for (i = 0; i < n; i++)
				if (kids[i] > 0)
					kill(kids[i], SIGTERM);
			stopping = 2;
		}
		pid = waitpid(-1, NULL, 0);
		if (pid > 0) {
			for (i = 0; i < n; i++)
				if (kids[i] == pid) {
					kids[i] = 0;
					alive--;
				}
		} else if (errno == ECHILD)
			break;
	}
	unlink(argv[1]);
	return 0;
}
