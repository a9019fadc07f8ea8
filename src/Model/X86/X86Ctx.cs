using System.Collections.Immutable;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Model.X86;

/// <summary>What x86 guards and effects see: the vCPU, the variant, the guest program, the events
/// emitted so far, and the input being handled.</summary>
public readonly record struct X86Ctx(X86Vcpu S, X86Variant V, X86Program P, ImmutableList<TraceEvent> Out, TraceEvent? Input = null)
{
    public X86Ctx With(Func<X86Vcpu, X86Vcpu> f) => this with { S = f(S) };
    public X86Ctx Emit(TraceEvent e) => this with { Out = Out.Add(e) };
    public X86Ctx Kvm(string text) => Emit(new Note(Lane.Kvm, text));
    public X86Ctx Cpu(string text) => Emit(new Note(Lane.Cpu, text));
    public X86Ctx Unhandled(string what) => Kvm("UNHANDLED: " + what).With(s => s with { Unhandled = s.Unhandled ?? what });

    public bool Debugging => S.guest_debug.HasFlag(X86GuestDebug.KVM_GUESTDBG_ENABLE);
    public bool Has(X86GuestDebug f) => Debugging && S.guest_debug.HasFlag(f);
    public bool Stepping => Has(X86GuestDebug.KVM_GUESTDBG_SINGLESTEP);
    /// <summary>A #DB VM exit goes to userspace (handle_exception_nmi: SINGLESTEP or USE_HW_BP); under
    /// the MTF proposal a #DB is never the host's step (MTF steps), so only USE_HW_BP takes it.</summary>
    public bool HostTakesDb => (Stepping && V.kvm_set_rflags != TfInjection.Never) || Has(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP);
    public bool Mtf => V.kvm_set_rflags == TfInjection.Never && Stepping;

    /// <summary>kvm_get_rflags(): RFLAGS with the host's TF filtered out while single-stepping (94fe45da+).</summary>
    public ulong GetRflags() => Stepping && V.kvm_set_rflags == TfInjection.AtSinglestepRip ? S.Rflags & ~Rflags.TF : S.Rflags;

    /// <summary>__kvm_set_rflags(): TF is added while single-stepping, at singlestep_rip only (94fe45da+) or anywhere (before).</summary>
    public X86Ctx SetRflags(ulong v)
    {
        if (Stepping && (V.kvm_set_rflags == TfInjection.Always || (V.kvm_set_rflags == TfInjection.AtSinglestepRip && S.Rip == S.singlestep_rip)))
            v |= Rflags.TF;
        var value = v | Rflags.Fixed;
        return With(s => s with { Rflags = value });
    }

    /// <summary>The DR7 the hardware uses: guest_debug_dr7 with USE_HW_BP (kvm_update_dr7), else the guest's (reset value).</summary>
    public ulong HwDr7 => Has(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP) && S.HostDr is { } d ? d.Dr7 : Dr7.Fixed;
}
