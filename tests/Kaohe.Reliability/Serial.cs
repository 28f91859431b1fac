// Each test class starts its own application processes (two behind nginx, one per fault fixture, a
// PostgreSQL server of its own): run the classes one after another so that they do not starve each
// other of the two cores, and so that the timings in the output mean something.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
