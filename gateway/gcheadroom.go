package gateway

import "sync"

// gcHeadroomSize is the heap a serving gateway holds untouched so that
// the garbage collector runs less often. A proxy's live heap is small
// (a few MiB) while each request leaves a few KiB of garbage, so with
// Go's default target (collect when the heap doubles, and at 4 MiB at
// the least) the collector ran every few hundred requests and took a
// fifth of the gateway's instructions. Holding 16 MiB of pointer-free
// memory raises the target by twice that: the collector never scans it,
// its pages are never written, so they cost address space rather than
// resident memory, and the extra garbage allowed is bounded (about
// 32 MiB) whatever the program's own heap, unlike a higher GOGC, which
// scales with it (the desktop app shares the process).
const gcHeadroomSize = 16 << 20

// gcHeadroom is held while any gateway serves.
var gcHeadroom struct {
	mu      sync.Mutex
	holders int
	buf     []byte
}

func holdGCHeadroom() {
	gcHeadroom.mu.Lock()
	defer gcHeadroom.mu.Unlock()
	if gcHeadroom.holders == 0 {
		gcHeadroom.buf = make([]byte, gcHeadroomSize)
	}
	gcHeadroom.holders++
}

func releaseGCHeadroom() {
	gcHeadroom.mu.Lock()
	defer gcHeadroom.mu.Unlock()
	gcHeadroom.holders--
	if gcHeadroom.holders == 0 {
		gcHeadroom.buf = nil
	}
}
