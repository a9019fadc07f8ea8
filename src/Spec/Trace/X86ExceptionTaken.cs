using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>Observation (x86): an interrupt or exception is delivered to the guest through its IDT:
/// the vector, the return RIP and the RFLAGS image pushed on the guest's stack, and the handler
/// entered.</summary>
public sealed record X86ExceptionTaken(byte Vector, ulong Rip, ulong Rflags, ulong Handler) : TraceEvent
{
    public override Lane Lane => Lane.Guest;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "exception";
    public bool IsInterrupt => Vector >= 32;
    public string Name => Vector switch { 1 => "#DB", 3 => "#BP", 13 => "#GP", _ => $"IRQ 0x{Vector:X}" };
    public override string Describe() => $"{Name} delivered: pushed RIP=0x{Rip:X} RFLAGS={X86.Rflags.Describe(Rflags)} -> handler 0x{Handler:X}";
}
