package engine

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkLogLines pushes 100-byte lines through one service's writer and
// buffer (10,000 lines kept), in 32 KiB writes as the process runtime
// reads them, and reports lines per second and the heap after the run.
func BenchmarkLogLines(b *testing.B) {
	line := fmt.Sprintf("%099d\n", 0)
	chunk := make([]byte, 0, 32<<10)
	for len(chunk)+len(line) <= cap(chunk) {
		chunk = append(chunk, line...)
	}
	perChunk := len(chunk) / len(line)
	buf := newLogBuffer("svc", DefaultLogLines, DefaultLogBytes, &broadcast{})
	w := newLineWriter(buf, Stdout, time.Now)
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		w.Write(chunk)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*perChunk)/b.Elapsed().Seconds(), "lines/s")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
	runtime.KeepAlive(buf)
}
