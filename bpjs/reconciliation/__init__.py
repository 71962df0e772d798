"""Reconciliation with the participant or billing lists BPJS exports (issue "BPJS review, reconciliation",
part 3).

A list for one regency and program is uploaded, its columns mapped (NIK, participant number, name,
status, wage; the mapping is remembered per program and regency, i.e. per BPJS branch), and every row is
compared with the open enrollments (requested, active, inactive) of the officials holding a post in the
regency's desa:

- matched: the same person (by NIK, through the keyed hash; else by participant number), nothing differs;
- mismatched: matched, but the status, the wage or the participant number (or, when matched by number,
  the NIK) differs: the field and both values are kept;
- only_bpjs: in the BPJS list, not among the enrollments here;
- only_here: an enrollment here that the BPJS list does not have.

Until its columns are chosen, the uploaded list (it holds NIKs) waits in the one preview storage
(previews): its uploader's only, for a week, used once by the comparison. No full NIK is ever stored in a
result: masked NIKs and person and enrollment ids only. A mismatch matched by NIK can be applied here with
one click: a requested enrollment becomes active with the BPJS number, a different participant number is
replaced, an inactive status in BPJS makes the enrollment inactive; each through the services, recorded
in the enrollment's history with the acting user.

Who: DPMD staff for either program in their regency (Permendagri 119/2019 has DPMD reconcile); BPJS
officers for their program in the regencies of their branch; superusers everywhere.

The modules, by concern:
- `selectors`: who reconciles which regency and program, which reconciliations a user sees, the upload
  waiting for its columns;
- `reading`: the file's header row, its column mapping, its rows read as BpjsRow;
- `matching`: the rows matched with the enrollments here and grouped per desa (the stored result);
- `services`: upload → column mapping → comparison, through the preview storage;
- `applying`: confirmed differences turned into enrollment updates;
- `export`: a result's labels for the page, and its Excel file.
"""
