package main

import (
	"testing"

	"github.com/moby/buildkit/client"
)

// The CLI's statuses and the daemon's reach the display in the order sent,
// the display's channel is closed once the daemon's is, and a status sent
// after that is dropped instead of panicking on the closed channel.
func TestStatusMux(t *testing.T) {
	out := make(chan *client.SolveStatus)
	m := newStatusMux(out)
	got := make(chan []string)
	go func() {
		var names []string
		for s := range out {
			names = append(names, s.Vertexes[0].Name)
		}
		got <- names
	}()
	st := func(name string) *client.SolveStatus {
		return &client.SolveStatus{Vertexes: []*client.Vertex{{Name: name}}}
	}
	m.send(st("local"))
	m.in <- st("daemon")
	close(m.in)
	names := <-got
	if len(names) != 2 || names[0] != "local" || names[1] != "daemon" {
		t.Fatalf("display got %v", names)
	}
	m.send(st("late")) // must not panic or block
}
