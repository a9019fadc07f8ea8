using Kvmspec.Spec.X86;
using Xunit;

namespace Kvmspec.Properties.X86;

/// <summary>The SDM rules of <see cref="X86Sdm"/>, case by case.</summary>
public class X86SdmTests
{
    [Theory]
    [InlineData(X86InstructionKind.Nop, true, true, true)]
    [InlineData(X86InstructionKind.Popf, false, true, false)]   // POPF that sets TF: no trap after it
    [InlineData(X86InstructionKind.Popf, true, false, true)]    // POPF that clears TF: still traps
    [InlineData(X86InstructionKind.Syscall, true, false, false)] // IA32_FMASK cleared TF: the masked value decides
    [InlineData(X86InstructionKind.Syscall, true, true, true)]
    public void StepTrap_FollowsTheSdm(X86InstructionKind k, bool tfStart, bool tfAfter, bool trap) =>
        Assert.Equal(trap, X86Sdm.StepTrapAfter(k, tfStart, tfAfter));

    [Fact]
    public void Shadows_StiOnlyWhenItSetsIf_MovSsNotTwice()
    {
        Assert.Equal(Shadow.Sti, X86Sdm.ShadowAfter(X86InstructionKind.Sti, ifBefore: false));
        Assert.Equal(Shadow.None, X86Sdm.ShadowAfter(X86InstructionKind.Sti, ifBefore: true));
        Assert.Equal(Shadow.MovSs, X86Sdm.ShadowAfter(X86InstructionKind.MovSs, true));
        Assert.Equal(Shadow.None, X86Sdm.ShadowAfter(X86InstructionKind.MovSs, true, Shadow.MovSs));
    }

    [Fact]
    public void Images_PushfKeepsTf_DeliveryClearsIt_SyscallSavesThenMasks()
    {
        ulong f = Rflags.Fixed | Rflags.TF | Rflags.IF | Rflags.RF;
        Assert.Equal(Rflags.Fixed | Rflags.TF | Rflags.IF, X86Sdm.PushfImage(f));
        Assert.Equal(Rflags.Fixed, X86Sdm.HandlerRflags(f));
        var (r11, after) = X86Sdm.Syscall(f, X86Program.Fmask);
        Assert.True(Rflags.Tf(r11));
        Assert.False(Rflags.Tf(after) || Rflags.If(after));
        Assert.Equal(Dr6.ActiveLow | Dr6.BS, 0xFFFF4FF0UL);
    }
}
