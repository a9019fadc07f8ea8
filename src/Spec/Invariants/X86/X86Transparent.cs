using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Invariants;

/// <summary>TRANSPARENT on x86: host debugging does not take the guest's own debug events away
/// from it.</summary>
/// <remarks>Path <c>diverted</c>: a KVM_EXIT_DEBUG that reports what the guest's own configuration
/// raised: a single-step (DR6.BS) while the host does not single-step (the guest's TF), a #DB with
/// no cause the host set (an ICEBP: no BS, no breakpoint bit of a slot the host enabled, no BD), a
/// #BP while the host did not ask for USE_SW_BP. vmx.c handle_exception_nmi sends every #DB to
/// userspace while SINGLESTEP or USE_HW_BP is set; the VMM must then give the guest its own #DB
/// (QEMU's kvm_arch_debug re-injects what it does not recognise).</remarks>
public static class X86Transparent
{
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Transparent.Id, c)
    {
        private readonly X86GuestView view = new(c.Header);

        public override void Observe(int i, TraceEvent ev)
        {
            if (ev is Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: X86DebugPayload d } x)
            {
                var h = view.Host;
                string? what = null;
                if (d.Exception == X86Program.BpVector && !h.Has(X86GuestDebug.KVM_GUESTDBG_USE_SW_BP))
                    what = "the guest's own INT3";
                else if (d.Exception == X86Program.DbVector)
                {
                    bool hostBp = h.Has(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP) && Enumerable.Range(0, 4).Any(k => (d.Dr6 & Dr6.B(k)) != 0 && Dr7.Enabled(h.Dr7, k));
                    bool gd = (d.Dr6 & Dr6.BD) != 0 && h.Has(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP) && Dr7.Gd(h.Dr7);
                    if (Dr6.Bs(d.Dr6) && !view.HostStepping) what = "the guest's own single-step (its TF)";
                    else if (!Dr6.Bs(d.Dr6) && !hostBp && !gd) what = "a #DB the host did not ask for (ICEBP)";
                }
                if (what is not null)
                    Report("diverted", i, $"KVM_EXIT_DEBUG at 0x{x.Pc:X}: {what} went to the VMM instead of the guest");
            }
            view.Apply(ev);
        }
    }
}
