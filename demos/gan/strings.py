"""GAN lab strings, English and Simplified Chinese (same keys in both)."""

EN = {
    "gan_explain_md": r"""
A **generator** $G$ maps noise $z \sim p_z$ to samples $G(z)$; a **discriminator** $D$ scores how real a sample looks.
Goodfellow et al. (2014) set them a two-player game:

$$\min_G \max_D V(D,G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]$$

For a fixed $G$ the best $D$ is $D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}$, and then $V = 2\,\mathrm{JS}(p_\text{data} \| p_g) - \log 4$: G minimises a Jensen–Shannon divergence.

- **Minimax (saturating)**: G minimises $\mathbb{E}[\log(1 - D(G(z)))]$. Its gradient is $-D(G(z))\,\nabla s$, which vanishes when D confidently rejects the fakes ($D(G(z)) \to 0$), exactly when G most needs to learn. Try the preset *saturating loss stalls*.
- **Non-saturating**: G maximises $\mathbb{E}[\log D(G(z))]$ instead: same fixed point, strong gradients early.
- **WGAN** (Arjovsky et al., 2017): a critic $f$ estimates the Wasserstein-1 distance, $\max_{\|f\|_L \le 1} \mathbb{E}[f(x)] - \mathbb{E}[f(G(z))]$, and G minimises $-\mathbb{E}[f(G(z))]$. The Lipschitz constraint is enforced crudely by **clipping** every weight to $[-c, c]$ ($c = 0.01$).
- **WGAN-GP** (Gulrajani et al., 2017) replaces clipping by a **gradient penalty** $\lambda\, \mathbb{E}_{\hat x}[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2]$ on points $\hat x = \epsilon x + (1-\epsilon) G(z)$, $\lambda = 10$.
- **Hinge** (Lim & Ye, 2017): D minimises $\mathbb{E}[\max(0, 1 - f(x))] + \mathbb{E}[\max(0, 1 + f(G(z)))]$; G minimises $-\mathbb{E}[f(G(z))]$.
- **Least squares** (Mao et al., 2017): D minimises $\tfrac12\mathbb{E}[(f(x) - 1)^2] + \tfrac12\mathbb{E}[f(G(z))^2]$, G minimises $\tfrac12\mathbb{E}[(f(G(z)) - 1)^2]$.

**Mode collapse**: G can fool D by putting all its samples on a few modes of the data; D then learns to reject those, G jumps elsewhere, and the data's other modes are never covered. Srivastava et al. (2017) measure it on Gaussian mixtures: a sample is **high quality** if it lies within $3\sigma$ of a mode, and a mode is **covered** when it receives at least 20 of 2,500 high-quality samples. KL and JS are estimated on a $30 \times 30$ histogram of the plane. The lab warns when the run has lost a quarter or more of the modes it once covered (after covering most of them), or when most samples are high quality yet they cover only half of the modes or fewer: try the preset *mode collapse*.

What you see: the background is D's output over the plane (green = "real", purple = "fake"); orange arrows are $-\nabla_x L_G$ on generated points, the way G's loss pushes each one; grey lines are a grid of latent values mapped through G (the generator's manifold).
""",
    "gan_tab": "GAN",
    "gan_intro": "Train a generative adversarial network live and watch min_G max_D V(D, G) play out: the "
                 "discriminator's landscape, the generator's gradients, the curves, and mode collapse when it happens.",
    "gan_preset": "Classroom presets",
    "gan_preset_info": "One click sets the controls; then press Start.",
    "gan_preset_default": "Default: non-saturating loss on the 8-Gaussian ring",
    "gan_preset_saturating": "Saturating (minimax) loss stalls: SGD, strong D",
    "gan_preset_nonsaturating": "…the same with the non-saturating loss: G learns",
    "gan_preset_wgan_gp": "WGAN-GP on the ring (5 critic steps per G step)",
    "gan_preset_grid": "25 modes: the 5×5 grid, wider networks",
    "gan_preset_collapse": "Mode collapse: learning rates five times higher",
    "gan_preset_hinge": "Hinge loss on the spiral",
    "gan_preset_digits": "Digits with a small conv net",
    "gan_dataset": "Data set",
    "gan_dataset_ring": "ring of 8 Gaussians",
    "gan_dataset_grid": "5×5 grid of Gaussians",
    "gan_dataset_spiral": "spiral",
    "gan_dataset_moons": "two moons",
    "gan_dataset_line": "a line",
    "gan_dataset_sketch": "my drawing (sketch pad)",
    "gan_dataset_digits": "8×8 handwritten digits",
    "gan_sketch": "Sketch pad",
    "gan_sketch_info": "Pick the brush (left of the pad), draw a shape, choose “my drawing” as the data set, then "
                       "press Start or Reset: the GAN learns your strokes.",
    "gan_loss": "Loss",
    "gan_loss_minimax": "minimax (saturating)",
    "gan_loss_nonsaturating": "non-saturating",
    "gan_loss_wgan": "WGAN (weight clipping)",
    "gan_loss_wgan_gp": "WGAN-GP",
    "gan_loss_hinge": "hinge",
    "gan_loss_lsgan": "least squares",
    "gan_optimizer": "Optimizer",
    "gan_opt_adam": "Adam (β₁ = 0.5)",
    "gan_opt_sgd": "SGD",
    "gan_lr_g": "G learning rate",
    "gan_lr_d": "D learning rate",
    "gan_d_steps": "D steps per G step",
    "gan_batch": "Batch size",
    "gan_networks": "Networks",
    "gan_width": "Width (units per hidden layer)",
    "gan_depth": "Hidden layers",
    "gan_noise_dim": "Noise dimension",
    "gan_arch": "Architecture (digits)",
    "gan_arch_mlp": "MLP",
    "gan_arch_conv": "small conv net (digits only)",
    "gan_iterations": "Iterations per Start",
    "gan_settings_info": "Settings take effect at Start, Reset, or a Step with no run yet; Resume and Step continue the current run.",
    "gan_step_mode": "One step of",
    "gan_step_d": "D only",
    "gan_step_g": "G only",
    "gan_step_both": "D then G",
    "gan_explain": "How GANs work",
    "gan_d_prob": "D(x) = P(real)",
    "gan_d_critic": "critic f(x)",
    "gan_manifold": "G's manifold (latent grid)",
    "gan_real": "real data",
    "gan_fake": "generated G(z)",
    "gan_arrows": "G's gradient −∇ₓL_G",
    "gan_plane_title": "Iteration {iteration} · {loss}",
    "gan_plane_subtitle": "background: D's output · arrows: −∇ₓL_G<br>(the longest, |∇| = {norm}, drawn 0.5 long)",
    "gan_curves_title": "Training curves up to iteration {iteration}",
    "gan_curve_losses": "losses",
    "gan_curve_d_prob": "mean D(x), D(G(z))",
    "gan_curve_d_critic": "mean critic score",
    "gan_curve_grads": "gradient norms (log)",
    "gan_curve_quality": "quality",
    "gan_d_loss": "D loss",
    "gan_g_loss": "G loss",
    "gan_d_real": "real",
    "gan_d_fake": "generated",
    "gan_d_grad": "‖∇D‖",
    "gan_g_grad": "‖∇G‖",
    "gan_iteration": "iteration",
    "gan_share": "share",
    "gan_modes_covered": "modes ÷ {n}",
    "gan_hq_share": "HQ share",
    "gan_js": "JS (bits)",
    "gan_digits_seen": "digits ÷ {n}",
    "gan_confident": "sure share",
    "gan_digits_title": "Iteration {iteration} · the classifier sees {seen} of 10 digits",
    "gan_digit_grid": "G(z) for 64 fixed z · the classifier's reading (? = unsure)",
    "gan_digit_counts": "what the classifier reads in 500 samples (sure ones)",
    "gan_digit": "digit",
    "gan_count": "samples",
    "gan_status_iter": "**Iteration {iteration}**",
    "gan_status_modes": "modes covered **{covered} / {total}** · high-quality samples **{hq}**",
    "gan_status_div": "KL(real ‖ generated) ≈ {kl} bits · JS ≈ {js} bits",
    "gan_status_digits": "the classifier sees **{seen} of 10** digits · sure of {share} of samples",
    "gan_warn_collapse": "⚠️ **Mode collapse?** Modes covered now: {now}; at iteration {at}: {best}. "
                         "G has abandoned modes it had found.",
    "gan_warn_missing": "⚠️ **Mode collapse:** the samples are good ({hq} high quality), yet only {covered} of {total} "
                        "modes are covered: G has settled on some modes and dropped the rest.",
    "gan_err_step_mode": "Unknown step '{value}'. Choose one of: {allowed}.",
    "gan_err_conv_2d": "The conv net is for the 8×8 digits only: choose the MLP for 2D data.",
    "gan_err_empty_sketch": "The drawing is empty ({pixels} inked pixels; at least {minimum} needed): draw a shape on "
                            "the sketch pad first.",
}

ZH = {
    "gan_explain_md": r"""
**生成器** $G$ 把噪声 $z \sim p_z$ 映射为样本 $G(z)$；**判别器** $D$ 给样本“像不像真的”打分。
Goodfellow 等（2014）让二者进行一场双人博弈：

$$\min_G \max_D V(D,G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]$$

固定 $G$ 时最优判别器为 $D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}$，此时 $V = 2\,\mathrm{JS}(p_\text{data} \| p_g) - \log 4$：G 在最小化 Jensen–Shannon 散度。

- **极小极大（饱和）**：G 最小化 $\mathbb{E}[\log(1 - D(G(z)))]$。其梯度为 $-D(G(z))\,\nabla s$，当 D 自信地拒绝假样本（$D(G(z)) \to 0$）时梯度消失，而这恰恰是 G 最需要学习的时候。试试预设“饱和损失停滞”。
- **非饱和**：G 改为最大化 $\mathbb{E}[\log D(G(z))]$：不动点相同，训练初期梯度更强。
- **WGAN**（Arjovsky 等，2017）：评论家 $f$ 估计 Wasserstein-1 距离 $\max_{\|f\|_L \le 1} \mathbb{E}[f(x)] - \mathbb{E}[f(G(z))]$，G 最小化 $-\mathbb{E}[f(G(z))]$。Lipschitz 约束通过把每个权重**裁剪**到 $[-c, c]$（$c = 0.01$）粗略地实现。
- **WGAN-GP**（Gulrajani 等，2017）用**梯度惩罚** $\lambda\, \mathbb{E}_{\hat x}[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2]$ 代替裁剪，其中 $\hat x = \epsilon x + (1-\epsilon) G(z)$，$\lambda = 10$。
- **Hinge**（Lim 与 Ye，2017）：D 最小化 $\mathbb{E}[\max(0, 1 - f(x))] + \mathbb{E}[\max(0, 1 + f(G(z)))]$；G 最小化 $-\mathbb{E}[f(G(z))]$。
- **最小二乘**（Mao 等，2017）：D 最小化 $\tfrac12\mathbb{E}[(f(x) - 1)^2] + \tfrac12\mathbb{E}[f(G(z))^2]$，G 最小化 $\tfrac12\mathbb{E}[(f(G(z)) - 1)^2]$。

**模式坍塌**：G 可以把所有样本放在数据的少数几个模式上来骗过 D；D 随后学会拒绝它们，G 又跳到别处，数据的其他模式始终没有被覆盖。Srivastava 等（2017）在高斯混合上度量它：距某个模式 $3\sigma$ 以内的样本是**高质量**样本；一个模式在 2500 个样本中得到至少 20 个高质量样本即算**被覆盖**。KL 和 JS 在平面的 $30 \times 30$ 直方图上估计。当训练曾覆盖大多数模式、之后又丢掉了其中四分之一或更多时，或者大多数样本是高质量样本、却只覆盖了一半或更少的模式时，实验室会给出警告：试试预设“模式坍塌”。

图中：背景是 D 在平面上的输出（绿 = “真”，紫 = “假”）；橙色箭头是生成点上的 $-\nabla_x L_G$，即 G 的损失推动每个点的方向；灰色网格线是潜空间网格经 G 映射后的样子（生成器的流形）。
""",
    "gan_tab": "GAN",
    "gan_intro": "实时训练一个生成对抗网络，看 min_G max_D V(D, G) 如何展开：判别器的地形、生成器的梯度、训练曲线，"
                 "以及发生时的模式坍塌。",
    "gan_preset": "课堂预设",
    "gan_preset_info": "一键设置控件，然后按“开始”。",
    "gan_preset_default": "默认：8 个高斯组成的圆环上的非饱和损失",
    "gan_preset_saturating": "饱和（极小极大）损失停滞：SGD，强判别器",
    "gan_preset_nonsaturating": "……同样设置换成非饱和损失：G 能学会",
    "gan_preset_wgan_gp": "圆环上的 WGAN-GP（每步 G 对应 5 步评论家）",
    "gan_preset_grid": "25 个模式：5×5 网格，更宽的网络",
    "gan_preset_collapse": "模式坍塌：学习率提高到五倍",
    "gan_preset_hinge": "螺旋线上的 hinge 损失",
    "gan_preset_digits": "用小型卷积网络生成数字",
    "gan_dataset": "数据集",
    "gan_dataset_ring": "8 个高斯组成的圆环",
    "gan_dataset_grid": "5×5 高斯网格",
    "gan_dataset_spiral": "螺旋线",
    "gan_dataset_moons": "双月牙",
    "gan_dataset_line": "一条直线",
    "gan_dataset_sketch": "我的画（画板）",
    "gan_dataset_digits": "8×8 手写数字",
    "gan_sketch": "画板",
    "gan_sketch_info": "选中画笔（画板左侧），画一个形状，把数据集选为“我的画”，再按“开始”或“重置”：GAN 会学习你的笔画。",
    "gan_loss": "损失",
    "gan_loss_minimax": "极小极大（饱和）",
    "gan_loss_nonsaturating": "非饱和",
    "gan_loss_wgan": "WGAN（权重裁剪）",
    "gan_loss_wgan_gp": "WGAN-GP",
    "gan_loss_hinge": "hinge",
    "gan_loss_lsgan": "最小二乘",
    "gan_optimizer": "优化器",
    "gan_opt_adam": "Adam（β₁ = 0.5）",
    "gan_opt_sgd": "SGD",
    "gan_lr_g": "G 学习率",
    "gan_lr_d": "D 学习率",
    "gan_d_steps": "每步 G 对应的 D 步数",
    "gan_batch": "批大小",
    "gan_networks": "网络",
    "gan_width": "宽度（每个隐藏层的单元数）",
    "gan_depth": "隐藏层数",
    "gan_noise_dim": "噪声维度",
    "gan_arch": "架构（数字）",
    "gan_arch_mlp": "MLP",
    "gan_arch_conv": "小型卷积网络（仅限数字）",
    "gan_iterations": "每次开始的迭代数",
    "gan_settings_info": "设置在按“开始”“重置”或尚无运行时按“单步”时生效；“继续”和“单步”沿用当前运行。",
    "gan_step_mode": "单步训练",
    "gan_step_d": "仅 D",
    "gan_step_g": "仅 G",
    "gan_step_both": "先 D 后 G",
    "gan_explain": "GAN 的原理",
    "gan_d_prob": "D(x) = P(真)",
    "gan_d_critic": "评论家 f(x)",
    "gan_manifold": "G 的流形（潜空间网格）",
    "gan_real": "真实数据",
    "gan_fake": "生成样本 G(z)",
    "gan_arrows": "G 的梯度 −∇ₓL_G",
    "gan_plane_title": "第 {iteration} 次迭代 · {loss}",
    "gan_plane_subtitle": "背景：D 的输出 · 箭头：−∇ₓL_G<br>（最长者 |∇| = {norm}，画成 0.5 长）",
    "gan_curves_title": "截至第 {iteration} 次迭代的训练曲线",
    "gan_curve_losses": "损失",
    "gan_curve_d_prob": "D(x) 与 D(G(z)) 的均值",
    "gan_curve_d_critic": "评论家平均分",
    "gan_curve_grads": "梯度范数（对数）",
    "gan_curve_quality": "质量",
    "gan_d_loss": "D 损失",
    "gan_g_loss": "G 损失",
    "gan_d_real": "真实",
    "gan_d_fake": "生成",
    "gan_d_grad": "‖∇D‖",
    "gan_g_grad": "‖∇G‖",
    "gan_iteration": "迭代",
    "gan_share": "比例",
    "gan_modes_covered": "覆盖模式 ÷ {n}",
    "gan_hq_share": "高质量比例",
    "gan_js": "JS（比特）",
    "gan_digits_seen": "数字种类 ÷ {n}",
    "gan_confident": "有把握的比例",
    "gan_digits_title": "第 {iteration} 次迭代 · 分类器识别出 10 个数字中的 {seen} 个",
    "gan_digit_grid": "64 个固定 z 的 G(z) · 分类器的判断（? = 没把握）",
    "gan_digit_counts": "分类器在 500 个样本中有把握地识别出的数字",
    "gan_digit": "数字",
    "gan_count": "样本数",
    "gan_status_iter": "**第 {iteration} 次迭代**",
    "gan_status_modes": "覆盖的模式 **{covered} / {total}** · 高质量样本 **{hq}**",
    "gan_status_div": "KL(真实 ‖ 生成) ≈ {kl} 比特 · JS ≈ {js} 比特",
    "gan_status_digits": "分类器识别出 **10 个中的 {seen} 个**数字 · 对 {share} 的样本有把握",
    "gan_warn_collapse": "⚠️ **模式坍塌？** 现在只覆盖了 {now} 个模式，而第 {at} 次迭代时覆盖了 {best} 个："
                         "G 放弃了它曾找到的模式。",
    "gan_warn_missing": "⚠️ **模式坍塌：**样本质量不错（高质量样本 {hq}），但 {total} 个模式中只覆盖了 {covered} 个："
                        "G 停留在部分模式上，丢掉了其余模式。",
    "gan_err_step_mode": "未知的单步方式“{value}”。可选：{allowed}。",
    "gan_err_conv_2d": "卷积网络只用于 8×8 数字：二维数据请选择 MLP。",
    "gan_err_empty_sketch": "画板是空的（{pixels} 个有墨迹的像素；至少需要 {minimum} 个）：请先在画板上画一个形状。",
}
