// SPDX-License-Identifier: MIT
//
// The C++ side of the install test: <pvmio.h> used from C++ (extern "C",
// -pedantic), the handle held by a unique_ptr, a child's memory read and
// checked. argv[1] is the version pkg-config reports.
#include <pvmio.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char secret[64];

int main(int argc, char **argv)
{
	if (argc != 2 || std::string(argv[1]) != pvmio_version_string()) {
		std::cerr << "consumer: version " << pvmio_version_string() << "\n";
		return 1;
	}
	int fds[2];
	char ready;
	pid_t pid = pipe(fds) == 0 ? fork() : -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		std::snprintf(secret, sizeof(secret), "c++ child %d", int(getpid()));
		if (write(fds[1], "!", 1) == 1)
			pause();
		_exit(0);
	}
	pvmio *raw = nullptr;
	if (pid < 0 || read(fds[0], &ready, 1) != 1 ||
	    pvmio_open(&raw, pid, reinterpret_cast<uintptr_t>(secret), 0) < 0) {
		std::cerr << "consumer: " << pvmio_errmsg() << "\n";
		return 1;
	}
	std::unique_ptr<pvmio, void (*)(pvmio *)> io(raw, pvmio_close);
	std::vector<char> buf(sizeof(secret));
	ssize_t n = pvmio_read(io.get(), buf.data(), buf.size());
	kill(pid, SIGKILL);
	waitpid(pid, nullptr, 0);
	std::string got(buf.data()), want = "c++ child " + std::to_string(pid);
	if (n != ssize_t(buf.size()) || got != want) {
		std::cerr << "consumer: read \"" << got << "\": " << pvmio_errmsg() << "\n";
		return 1;
	}
	std::cout << "C++ consumer: read \"" << got << "\" from pid " << pid
		  << " with libpvmio " << pvmio_version_string() << "\n";
	return 0;
}
