# pvmio_search: scan.c, holes.c and search.c share src/search.h; the search
# tests also share tests/searchee.h (the other side of tests/target/searchee).
$(O)/static/search.o $(O)/shared/search.o $(O)/static/scan.o \
$(O)/shared/scan.o $(O)/static/holes.o $(O)/shared/holes.o: src/search.h
$(O)/tests/search $(O)/tests/search_sparse: src/search.h tests/searchee.h
