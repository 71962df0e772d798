"""Officials files (Excel template or CSV): upload, preview, confirm — issue "Village heads submit their
officials", part 2.

- columns.py: the columns of the file, shared with the template (villages/roster_template.py);
- reader.py: opening a file (its officials sheet) and refusing one that is not a readable officials list;
- choosing.py: a file kept while its user chooses its sheet or maps its headers (remembered per regency);
- opensid.py: OpenSID's officials list (an HTML table named .xls, no NIK), its rows matched to the
  desa's current officials; nik_step.py: the preview's NIK form for the rows no official matched;
- plan.py: what a plan is (each row's outcome, errors, warnings) and the preview JSON it shows;
- parsing.py: parsing each row's cells, and the parsed rows kept between check and confirmation;
- checks.py: the file-wide checks (desa of each row, locks, duplicate NIKs, single holders, one
  definitif post per person);
- decisions.py: each row's outcome (new, changed, unchanged, ended) against the data as it is;
- planning.py: from rows to a plan, in a fixed number of queries;
- writing.py: writing a valid plan, with history;
- services.py: the steps of an import (upload, validate, confirm, apply, discard), with what holds NIKs
  in the previews storage;
- selectors.py: which imports a user may see (their own), and their preview.
"""
