-- A search by several name words ("ber kel": a word starting with each) is one FTS5 query here instead of an intersection
-- of each word's whole range of patient_name_words, which a short prefix makes long (PrescriptionSearch). One document a
-- prescription, its number the rowid and its name words (SearchKey.Words) the text; contentless (the words are kept in
-- patient_name_words), no positions (detail=none: prefix terms joined by AND need none), and prefix indexes of one to
-- three characters. A prescription without a name has an empty document, so the highest rowid is the highest number
-- indexed. Derived search rows; no rule reads them. SQL Server keeps the intersection.
CREATE VIRTUAL TABLE patient_name_fts USING fts5(words, content = '', detail = none, prefix = '1 2 3', tokenize = 'ascii');

INSERT INTO patient_name_fts (rowid, words)
SELECT s.prescription_number, COALESCE(g.words, '')
FROM patient_search s
LEFT JOIN (SELECT prescription_number, group_concat(word, ' ') AS words FROM patient_name_words GROUP BY prescription_number) g
  ON g.prescription_number = s.prescription_number
ORDER BY s.prescription_number;
