package sandbox

// DispatchConfig configures this feature. (stub: to be filled in)
type DispatchConfig struct{}

type dispatcher struct{}

func (s *Sandbox) mountDispatch() error { return nil }
