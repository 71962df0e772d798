"""Officials files (Excel template or CSV): upload, preview, confirm — issue "Village heads submit their
officials", part 2.

- columns.py: the columns of the file, shared with the template (villages/roster_template.py);
- reader.py: opening a file and refusing one that is not a readable officials list;
- cells.py: reading one cell (NIK, dates, rupiah, drop-down values);
- plan.py: from rows to what would change, with every row error, in a fixed number of queries;
- services.py: the steps of an import (upload, validate, confirm, apply, discard);
- selectors.py: which imports a user may see.
"""
