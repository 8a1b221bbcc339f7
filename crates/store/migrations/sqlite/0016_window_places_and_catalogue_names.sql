-- Issue 14, point 3: moving a visit into the window it already held took another place,
-- so a window could read "3 of 3 booked" with one booking. Every window's count is set
-- again from the bookings that exist: open requests that booked it and visits (not
-- cancelled) in it. A window holding more than its capacity (never expected) keeps them
-- all and its capacity grows to fit, so the count never lies.
UPDATE availability_windows SET booked = (
    (SELECT COUNT(*) FROM service_requests r
      WHERE r.company_id = availability_windows.company_id
        AND r.availability_window_id = availability_windows.id
        AND r.status IN ('new', 'read'))
  + (SELECT COUNT(*) FROM jobs j
      WHERE j.company_id = availability_windows.company_id
        AND j.availability_window_id = availability_windows.id
        AND j.status <> 'cancelled')
), capacity = MAX(capacity, (
    (SELECT COUNT(*) FROM service_requests r
      WHERE r.company_id = availability_windows.company_id
        AND r.availability_window_id = availability_windows.id
        AND r.status IN ('new', 'read'))
  + (SELECT COUNT(*) FROM jobs j
      WHERE j.company_id = availability_windows.company_id
        AND j.availability_window_id = availability_windows.id
        AND j.status <> 'cancelled')
));

-- Issue 14, point 10g: two catalogue items of one company may not share a name (letter
-- case aside), so customers never pick between look-alikes; a clash is a unique
-- violation the office page answers with 409 and its form. Names already doubled keep
-- the oldest as it is and get their id added, so the index can be built.
UPDATE catalogue_items SET name = name || ' (' || id || ')'
WHERE EXISTS (
    SELECT 1 FROM catalogue_items o
    WHERE o.company_id = catalogue_items.company_id
      AND lower(o.name) = lower(catalogue_items.name)
      AND o.id < catalogue_items.id
);
CREATE UNIQUE INDEX catalogue_items_name ON catalogue_items(company_id, lower(name));
