/*
 * reaper.c: runs a command as a child subreaper, so that processes it
 * leaves behind (an nginx worker whose master was SIGKILLed by a crash
 * test) are reaped here instead of becoming zombies under a PID 1 that does
 * not reap.  SIGTERM/SIGINT/SIGHUP are passed on to the command; it exits
 * with the command's status once every descendant is gone.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile pid_t child;

static void
forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	pid_t	 pid;
	int	 status, rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: reaper command [arg ...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		perror("reaper: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((pid = fork()) == -1) {
		perror("reaper: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("reaper: exec");
		_exit(127);
	}
	child = pid;
	for (;;) {
		pid_t	 done = waitpid(-1, &status, 0);

		if (done == -1) {
			if (errno == EINTR)
				continue;
			break;		/* ECHILD: nothing left */
		}
		if (done == pid)
			rc = WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
	}
	return rc;
}
