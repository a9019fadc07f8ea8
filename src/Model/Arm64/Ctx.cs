using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Arm64;

/// <summary>What guards and effects see: the vCPU, the variant being modelled, the guest program,
/// and the events emitted so far by this step.</summary>
public readonly record struct Ctx(Vcpu S, Variant V, GuestProgram P, ImmutableList<TraceEvent> Out, TraceEvent? Input = null)
{
    public Ctx With(Func<Vcpu, Vcpu> f) => this with { S = f(S) };
    public Ctx Emit(TraceEvent e) => this with { Out = Out.Add(e) };
    public Ctx Kvm(string text) => Emit(new Note(Lane.Kvm, text));
    public Ctx Cpu(string text) => Emit(new Note(Lane.Cpu, text));
    public Ctx Unhandled(string what) => Kvm("UNHANDLED: " + what).With(s => s with { Unhandled = s.Unhandled ?? what });
    public bool Stepping => S.guest_debug.HasFlag(Spec.Kvm.KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP) && S.guest_debug.HasFlag(Spec.Kvm.KvmGuestDebug.KVM_GUESTDBG_ENABLE);
}
