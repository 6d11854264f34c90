package engine

import "time"

// healthStatus is one check's verdict, as Docker keeps it.
type healthStatus int

const (
	healthStarting healthStatus = iota
	healthGood
	healthBad
)

func (h healthStatus) String() string {
	return [...]string{"starting", "healthy", "unhealthy"}[h]
}

// healthRules are the timings of one check.
type healthRules struct {
	Interval      time.Duration
	Timeout       time.Duration
	Retries       int
	StartPeriod   time.Duration
	StartInterval time.Duration
}

// tracker turns one check's results into a status the way Docker's health
// monitor does: a success makes it healthy and clears the failing streak;
// Retries failures in a row make it unhealthy, except that failures during
// StartPeriod count only once the check has succeeded. While starting
// within StartPeriod the check runs every StartInterval, else every
// Interval.
type tracker struct {
	rules   healthRules
	started time.Time // when the instance started
	status  healthStatus
	streak  int
}

func newTracker(rules healthRules, started time.Time) *tracker {
	return &tracker{rules: rules, started: started}
}

// interval is the wait before the next check.
func (t *tracker) interval(now time.Time) time.Duration {
	if t.status == healthStarting && now.Sub(t.started) < t.rules.StartPeriod {
		return t.rules.StartInterval
	}
	return t.rules.Interval
}

// record takes the result of a check that began at began.
func (t *tracker) record(ok bool, began time.Time) healthStatus {
	if ok {
		t.streak = 0
		t.status = healthGood
		return t.status
	}
	if t.status == healthStarting && began.Sub(t.started) < t.rules.StartPeriod {
		return t.status
	}
	t.streak++
	if t.streak >= t.rules.Retries {
		t.status = healthBad
	}
	return t.status
}

// overallHealth combines the checks of a service: unhealthy when any is,
// healthy when all are, starting otherwise.
func overallHealth(statuses []healthStatus) healthStatus {
	all := true
	for _, s := range statuses {
		if s == healthBad {
			return healthBad
		}
		all = all && s == healthGood
	}
	if all {
		return healthGood
	}
	return healthStarting
}
