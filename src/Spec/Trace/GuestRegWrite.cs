using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Observation: a guest MSR wrote <see cref="Value"/> to a system register (natively or
/// through KVM's emulation), as the guest meant it; for <see cref="SysReg.DAIF"/>, the DAIF value
/// after an MSR DAIFSet/DAIFClr.</summary>
public sealed record GuestRegWrite(SysReg Reg, ulong Value) : TraceEvent
{
    public override Lane Lane => Lane.Guest;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "guest_reg_write";
    public override string Describe() => $"guest writes {Reg} = 0x{Value:X}";
}
