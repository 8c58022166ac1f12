package main

import (
	"sync"

	"github.com/moby/buildkit/client"
)

// statusMux merges the daemon's progress with statuses of the CLI's own
// (the vertices of the files the in-process frontend reads itself) into
// the one channel the display reads. client.Build writes in and closes it
// when the build's progress ends; out is closed after that, and a status
// sent later is dropped, so that no send can race the close.
type statusMux struct {
	in  chan *client.SolveStatus
	mu  sync.Mutex
	out chan *client.SolveStatus
	end bool
}

func newStatusMux(out chan *client.SolveStatus) *statusMux {
	m := &statusMux{in: make(chan *client.SolveStatus), out: out}
	go func() {
		for s := range m.in {
			m.send(s)
		}
		m.mu.Lock()
		m.end = true
		close(m.out)
		m.mu.Unlock()
	}()
	return m
}

// send passes s on to the display, unless the progress has ended.
func (m *statusMux) send(s *client.SolveStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.end {
		m.out <- s
	}
}
