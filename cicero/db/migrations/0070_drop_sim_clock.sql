-- The simulation's time is no longer kept in the database: every actor of a simulation reads
-- the driver's one virtual clock (cicero/sim/clock.py), a restarted one included.
DROP TABLE IF EXISTS sim_clock;
