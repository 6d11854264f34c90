package gateway

import (
	"container/list"
	"sync"
	"time"
)

// Limiter holds the buckets of the limit_req zones: one per gateway,
// shared by every request and kept across route changes (by zone name
// and key), as nginx keeps a zone's shared memory across reloads.
type Limiter struct {
	mu      sync.Mutex
	zones   map[zoneID]*bucketZone
	start   time.Time
	startMs int64
}

// NewLimiter returns a Limiter with no request counted yet.
func NewLimiter() *Limiter {
	now := time.Now()
	return &Limiter{zones: map[zoneID]*bucketZone{}, start: now, startMs: now.UnixMilli()}
}

// bucketZone is a zone's buckets, most recently used first, as nginx
// keeps them in its rbtree and queue.
type bucketZone struct {
	nodes map[string]*list.Element
	lru   list.List
	used  int64 // bytes of the zone its buckets take
}

// bucket is ngx_http_limit_req_node_t.
type bucket struct {
	key    string
	excess int64 // thousandths of a request above the rate
	last   int64 // ms
	count  int   // requests between their lookup and their account
}

// bucketCost is what a bucket takes of a zone's memory in nginx: its
// rbtree node and ngx_http_limit_req_node_t (80 bytes on 64-bit
// systems) and the key, in the power-of-two slot (or whole pages) the
// slab allocator gives it.
func bucketCost(keyLen int) int64 { return slabSlot(80 + keyLen) }

// slabSlot is what ngx_slab_alloc takes for n bytes: a power-of-two
// slot of at least 8 bytes, or whole 4 KiB pages past 2 KiB.
func slabSlot(n int) int64 {
	if n > 2048 {
		return int64(n+4095) / 4096 * 4096
	}
	slot := int64(8)
	for slot < int64(n) {
		slot *= 2
	}
	return slot
}

type lookupResult int

const (
	limitDeclined lookupResult = iota
	limitBusy
	limitAgain
	limitOK
)

// Check is ngx_http_limit_req_handler's decision for a paused request at
// time now: every rule's bucket is looked up (the last one counts the
// request, the others hold it until then), the first bucket over its
// burst refuses it, and otherwise the longest delay any bucket asks for
// is how long it waits.
func (l *Limiter) Check(c *LimitCheck, now time.Time) LimitVerdict {
	ms := l.startMs + now.Sub(l.start).Milliseconds()
	rules := c.rules
	l.mu.Lock()
	defer l.mu.Unlock()
	held := make([]*bucket, len(rules)) // ctx->node, per rule
	rc, excess, n := limitDeclined, int64(0), 0
	for n = 0; n < len(rules); n++ {
		key := c.Keys[n]
		if key == "" || len(key) > 65535 {
			continue
		}
		rc, excess, held[n] = l.lookup(rules[n], key, ms, n == len(rules)-1)
		if rc != limitAgain {
			break
		}
	}
	last := min(n, len(rules)-1) // nginx's `limit`: the rule the loop ended on
	switch rc {
	case limitDeclined:
		return LimitVerdict{}
	case limitBusy:
		for _, b := range held[:n] {
			if b != nil {
				b.count--
			}
		}
		if c.set.dryRun {
			return LimitVerdict{Label: "REJECTED_DRY_RUN", Zone: rules[last].zone.Name}
		}
		return LimitVerdict{Status: c.set.status, Label: "REJECTED", Zone: rules[last].zone.Name}
	case limitAgain:
		excess = 0
	}
	delay, zone := l.account(rules, held, n, excess, last, ms)
	switch {
	case delay == 0:
		return LimitVerdict{Label: "PASSED"}
	case c.set.dryRun:
		return LimitVerdict{Label: "DELAYED_DRY_RUN", Zone: zone}
	}
	return LimitVerdict{Delay: time.Duration(delay) * time.Millisecond, Label: "DELAYED", Zone: zone}
}

// lookup is ngx_http_limit_req_lookup: the request's bucket in the
// rule's zone, leaked since its last request, plus this request.
func (l *Limiter) lookup(r limitRule, key string, now int64, account bool) (lookupResult, int64, *bucket) {
	z := l.zone(r.zone)
	if e := z.nodes[key]; e != nil {
		b := e.Value.(*bucket)
		z.lru.MoveToFront(e)
		ms := sinceLast(now, b.last)
		excess := max(b.excess-leaked(r.zone.Rate, ms)+1000, 0)
		if excess > r.burst {
			return limitBusy, excess, nil
		}
		if account {
			b.excess = excess
			if ms != 0 {
				b.last = now
			}
			return limitOK, excess, nil
		}
		b.count++
		return limitAgain, excess, b
	}
	// A new bucket: stale ones go first; when the zone is full the
	// least recently used goes whatever its state, and if it is still
	// full the request is refused, as nginx refuses it ("could not
	// allocate node").
	cost := bucketCost(len(key))
	z.expire(now, r.zone.Rate, 1)
	if z.used+cost > r.zone.room() {
		z.expire(now, r.zone.Rate, 0)
		if z.used+cost > r.zone.room() {
			return limitBusy, 0, nil
		}
	}
	b := &bucket{key: key}
	z.nodes[key] = z.lru.PushFront(b)
	z.used += cost
	if account {
		b.last = now
		return limitOK, 0, nil
	}
	b.count = 1 // last stays 0: long ago
	return limitAgain, 0, b
}

// account is ngx_http_limit_req_account: the buckets held for the rules
// before the last are counted now; the delay is the longest any of them
// (or the last rule's excess) asks for.
func (l *Limiter) account(rules []limitRule, held []*bucket, n int, excess int64, last int, now int64) (int64, string) {
	var maxDelay int64
	zone := rules[last].zone.Name
	if r := rules[last]; excess > r.delay {
		maxDelay = (excess - r.delay) * 1000 / r.zone.Rate
	}
	for i := n - 1; i >= 0; i-- {
		b := held[i]
		if b == nil {
			continue
		}
		r := rules[i]
		ms := sinceLast(now, b.last)
		e := max(b.excess-leaked(r.zone.Rate, ms)+1000, 0)
		if ms != 0 {
			b.last = now
		}
		b.excess = e
		b.count--
		if e <= r.delay {
			continue
		}
		if d := (e - r.delay) * 1000 / r.zone.Rate; d > maxDelay {
			maxDelay, zone = d, r.zone.Name
		}
	}
	return maxDelay, zone
}

// expire is ngx_http_limit_req_expire: with n 1, up to two of the least
// recently used buckets go if they have leaked empty for a minute; with
// n 0 the least recently used goes whatever its state, then as with 1.
func (z *bucketZone) expire(now, rate int64, n int) {
	for ; n < 3; n++ {
		e := z.lru.Back()
		if e == nil {
			return
		}
		b := e.Value.(*bucket)
		if b.count > 0 {
			return
		}
		if n != 0 {
			ms := now - b.last
			if ms < 0 {
				ms = -ms
			}
			if ms < 60000 || b.excess-leaked(rate, ms) > 0 {
				return
			}
		}
		z.lru.Remove(e)
		delete(z.nodes, b.key)
		z.used -= bucketCost(len(b.key))
	}
}

func (l *Limiter) zone(z *LimitZone) *bucketZone {
	bz := l.zones[z.id()]
	if bz == nil {
		bz = &bucketZone{nodes: map[string]*list.Element{}}
		l.zones[z.id()] = bz
	}
	return bz
}

// sinceLast is nginx's ms since a bucket's last request: a clock that
// went back less than a minute counts 0, more than that 1.
func sinceLast(now, last int64) int64 {
	ms := now - last
	switch {
	case ms < -60000:
		return 1
	case ms < 0:
		return 0
	}
	return ms
}

// leaked is how much of a bucket leaks in ms at rate (thousandths),
// rate*ms/1000 without overflowing for a bucket last used long ago.
func leaked(rate, ms int64) int64 {
	if rate > 0 && ms > (1<<62)/rate {
		return 1 << 62
	}
	return rate * ms / 1000
}
