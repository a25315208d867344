package descriptor

// Limits bounds what Decode and DecodeResponse accept. A zero or negative
// field means the matching field of DefaultLimits.
type Limits struct {
	MaxEncoded     int // longest base64 input, in bytes; checked before decoding anything
	MaxHeaders     int // most header entries
	MaxHeaderBytes int // longest header name and longest header value, in bytes each
}

// DefaultLimits are the limits used for zero fields. Responses that carry
// large lists may need a larger MaxEncoded; callers pass their own Limits.
var DefaultLimits = Limits{
	MaxEncoded:     1 << 20, // 1 MiB
	MaxHeaders:     64,
	MaxHeaderBytes: 8 << 10, // 8 KiB
}

// withDefaults fills zero or negative fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxEncoded <= 0 {
		l.MaxEncoded = DefaultLimits.MaxEncoded
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultLimits.MaxHeaders
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultLimits.MaxHeaderBytes
	}
	return l
}
