-- A hand-written SOC 2000/2010 -> 2018 crosswalk for the largest recodes the title rule misses (mostly low-wage occupations that SOC 2018 merged, split or renumbered under new titles). Used only by the labelled alternative specification 'crosswalk'; the default links occupations by code, else by identical title. Same pairs as tests/fixtures/indep2/soc_extra_links.csv (the referee's).
-- column base_code: SOC code in the base year (SOC 2000 or 2010)
-- column end_code: SOC code it continues as in the SOC 2018 files
-- column note: What changed
CREATE OR REPLACE TABLE marts.c7_soc_crosswalk AS
SELECT * FROM (VALUES
    ('31-1011', '31-1120', 'Home health aides -> Home health and personal care aides (SOC 2018)'),
    ('39-9021', '31-1120', 'Personal (and home) care aides -> Home health and personal care aides (SOC 2018 moved them from 39 to 31)'),
    ('35-3021', '35-3023', 'Combined food preparation and serving workers incl. fast food -> Fast food and counter workers'),
    ('35-3022', '35-3023', 'Counter attendants (cafeteria/food concession/coffee shop) -> Fast food and counter workers'),
    ('43-5081', '53-7065', 'Stock clerks and order fillers -> Stockers and order fillers'),
    ('31-1012', '31-1131', 'Nursing aides/orderlies/attendants -> Nursing assistants'),
    ('31-1012', '31-1132', 'Nursing aides/orderlies/attendants -> Orderlies'),
    ('25-9041', '25-9045', 'Teacher assistants -> Teaching assistants except postsecondary'),
    ('51-2092', '51-2090', 'Team assemblers -> Miscellaneous assemblers and fabricators'),
    ('51-2099', '51-2090', 'Assemblers and fabricators all other -> Miscellaneous assemblers and fabricators'),
    ('41-3099', '41-3091', 'Sales representatives services all other -> Sales representatives of services except advertising/insurance/financial/travel'),
    ('15-1031', '15-1252', 'Computer software engineers applications (SOC 2000) -> Software developers'),
    ('15-1032', '15-1252', 'Computer software engineers systems software (SOC 2000) -> Software developers'),
    ('15-1132', '15-1252', 'Software developers applications (SOC 2010) -> Software developers'),
    ('15-1133', '15-1252', 'Software developers systems software (SOC 2010) -> Software developers'),
    ('15-1041', '15-1232', 'Computer support specialists (SOC 2000) -> Computer user support specialists'),
    ('15-1151', '15-1232', 'Computer user support specialists (SOC 2010) -> Computer user support specialists (code change)'),
    ('13-1023', '13-1020', 'Purchasing agents except wholesale/retail/farm -> Buyers and purchasing agents'),
    ('25-3098', '25-3031', 'Substitute teachers (SOC 2010) -> Substitute teachers short-term')
) AS t(base_code, end_code, note);
