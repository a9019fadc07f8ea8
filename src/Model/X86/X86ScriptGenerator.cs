using System.Collections.Immutable;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Model.X86;

/// <summary>Random x86 scripts: short guest programs over the model's instruction kinds (some with
/// the forced-emulation prefix, some setting the guest's own TF) and VMM/environment actions, with
/// the debugger patterns that matter: a step with an interrupt pending before every entry.</summary>
public static class X86ScriptGenerator
{
    private static readonly (int, X86InstructionKind)[] Kinds =
    [
        (6, X86InstructionKind.Nop), (3, X86InstructionKind.Pushf), (3, X86InstructionKind.Popf), (3, X86InstructionKind.Sti),
        (2, X86InstructionKind.Cli), (3, X86InstructionKind.MovSs), (1, X86InstructionKind.Hlt), (2, X86InstructionKind.Int3),
        (2, X86InstructionKind.Icebp), (3, X86InstructionKind.Syscall), (2, X86InstructionKind.Iret), (2, X86InstructionKind.Out),
        (2, X86InstructionKind.In), (3, X86InstructionKind.Cpuid), (2, X86InstructionKind.Wrmsr), (3, X86InstructionKind.MmioLoad),
        (1, X86InstructionKind.MovFromDr), (1, X86InstructionKind.Store),
    ];

    private static readonly X86InstructionKind[] Forceable =
        [X86InstructionKind.Nop, X86InstructionKind.Sti, X86InstructionKind.Cli, X86InstructionKind.MovSs, X86InstructionKind.Pushf, X86InstructionKind.Popf];

    public static X86Instruction Instruction(Rng r)
    {
        var k = r.Pick(Kinds);
        ulong image = k is X86InstructionKind.Popf or X86InstructionKind.Iret
            ? Rflags.Fixed | (r.Chance(70) ? Rflags.IF : 0) | (r.Chance(35) ? Rflags.TF : 0)
            : Rflags.Fixed | Rflags.IF;
        bool forced = Forceable.Contains(k) && r.Chance(25);
        return new X86Instruction(k, image, forced);
    }

    public static X86Program Program(Rng r, int length) => new([.. Enumerable.Range(0, length).Select(_ => Instruction(r))]);

    /// <summary>A KVM_SET_GUEST_DEBUG with the VMM's BLOCKIRQ habit applied.</summary>
    public static X86SetGuestDebug Debug(X86Variant v, Rng r, X86GuestDebug control, ulong dr7 = X86SetGuestDebug.Dr7Reset, ulong dr0 = 0) =>
        new(v.VmmControl(control, () => r.Chance(30)), dr7, dr0);

    private const X86GuestDebug Step = X86GuestDebug.KVM_GUESTDBG_ENABLE | X86GuestDebug.KVM_GUESTDBG_SINGLESTEP;
    private const X86GuestDebug HwBp = X86GuestDebug.KVM_GUESTDBG_ENABLE | X86GuestDebug.KVM_GUESTDBG_USE_HW_BP;

    public static IEnumerable<Action> NextActions(X86Variant v, Rng r, X86Program p)
    {
        ulong Addr() => p.AddressOf(r.Below(Math.Max(1, p.Body.Length)));
        var choices = new (int, Func<IEnumerable<Action>>)[]
        {
            (30, () => [Action.Of(new Run())]),
            (3, () => [Action.Of(new Run(ImmediateExit: true))]),
            (8, () => [Action.Of(Debug(v, r, Step))]),
            (3, () => Enumerable.Range(0, 3 + r.Below(3)).SelectMany(_ => new[] { Action.Of(new InterruptPending(IrqTarget.Guest)), Action.Of(Debug(v, r, Step)), Action.Of(new Run()) })),
            (2, () => [Action.Of(Debug(v, r, X86GuestDebug.KVM_GUESTDBG_ENABLE))]),
            (2, () => [Action.Of(Debug(v, r, X86GuestDebug.None))]),
            (1, () => [Action.Of(Debug(v, r, X86GuestDebug.KVM_GUESTDBG_ENABLE | X86GuestDebug.KVM_GUESTDBG_USE_SW_BP))]),
            (2, () => [Action.Of(Debug(v, r, HwBp, Dr7.Fixed | Dr7.G(0), Addr()))]),
            (1, () => [Action.Of(Debug(v, r, HwBp, Dr7.Fixed | Dr7.G(0) | Dr7.Rw(0, Dr7.RwWrite) | Dr7.Len4(0), X86Program.DataAddr))]),
            (1, () => [Action.Of(Debug(v, r, HwBp, Dr7.Fixed | Dr7.GD))]),
            (1, () => [Action.Of(Debug(v, r, X86GuestDebug.KVM_GUESTDBG_ENABLE | (r.Chance(50) ? X86GuestDebug.KVM_GUESTDBG_INJECT_DB : X86GuestDebug.KVM_GUESTDBG_INJECT_BP)))]),
            (4, () => [Action.Of(new CompleteIo((ulong)r.Below(0x100)))]),
            (3, () => [Action.Of(new CompleteMmio((ulong)r.Below(0x100)))]),
            (5, () => [Action.Of(new GetRegs(0, 0))]),
            (1, () => [Action.Of(new SetRegs(Addr(), X86Simulator.InitialRflags))]),
            (5, () => [Action.Of(new InterruptPending(IrqTarget.Guest))]),
            (3, () => [Action.Of(new InterruptPending(IrqTarget.Host))]),
            (3, () => [Action.Of(new SignalPending())]),
            (15, () => [Action.Tick]),
            (5, () => [Action.Ticks(2 + r.Below(3))]),
        };
        return r.Pick(choices)();
    }

    public static X86Script Generate(X86Variant v, Rng r, int size)
    {
        var p = Program(r, 1 + r.Below(5));
        var actions = ImmutableArray.CreateBuilder<Action>();
        if (r.Chance(20)) actions.Add(Action.Of(new Run()));
        if (r.Chance(65)) actions.Add(Action.Of(Debug(v, r, Step)));
        int n = 1 + r.Below(Math.Max(1, size));
        while (actions.Count < n) actions.AddRange(NextActions(v, r, p));
        return new X86Script(p, actions.ToImmutable());
    }
}
