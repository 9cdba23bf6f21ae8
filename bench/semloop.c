/* SPDX-License-Identifier: MIT */
/*
 * semloop: the minimal C loop bench/semop compares semop(1) with: N
 * wait+post pairs on a private semaphore.
 * Usage: semloop sysv|posix N
 */
#include "config.h"

#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: semloop sysv|posix N\n");
		return 2;
	}
	if (strcmp(argv[1], "sysv") == 0) {
		struct sembuf post = { 0, 1, 0 }, wait = { 0, -1, 0 };
		int id = semget(IPC_PRIVATE, 1, 0600);
		if (id < 0)
			return perror("semget"), 1;
		for (long i = 0; i < n; i++)
			if (semop(id, &post, 1) < 0 || semop(id, &wait, 1) < 0)
				return perror("semop"), 1;
		semctl(id, 0, IPC_RMID);
	} else {
		char name[64];
		sem_t *s;
		snprintf(name, sizeof name, "/semloop-%d", (int)getpid());
		s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
		if (s == SEM_FAILED)
			return perror("sem_open"), 1;
		sem_unlink(name);
		for (long i = 0; i < n; i++)
			if (sem_post(s) < 0 || sem_wait(s) < 0)
				return perror("sem"), 1;
	}
	return 0;
}
