# pvmio_search: scan.c and search.c share src/search.h, as does its test.
$(O)/static/search.o $(O)/shared/search.o $(O)/static/scan.o \
$(O)/shared/scan.o $(O)/tests/search: src/search.h
