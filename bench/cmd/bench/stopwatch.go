package main

import (
	"net/http"
	"sync"
	"time"
)

// stopwatch times a server's handler, from the start of its ServeHTTP to
// its return: how long the handler held a call. What the caller waited
// beyond that is the HTTP exchange around the handler (writing and
// reading the request and the answer, waking the goroutines that do it)
// and the wait for a core, which is what splits a call's time into hops.
// Each call adds two clock readings and an append under a lock, for
// both paths alike.
type stopwatch struct {
	mu sync.Mutex
	ms []float64
}

func (s *stopwatch) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer func() {
			took := float64(time.Since(start)) / float64(time.Millisecond)
			s.mu.Lock()
			s.ms = append(s.ms, took)
			s.mu.Unlock()
		}()
		h.ServeHTTP(w, r)
	})
}

// take returns the times recorded since the last take and forgets them.
func (s *stopwatch) take() []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.ms
	s.ms = nil
	return ms
}
