"""VAE lab strings, English and Simplified Chinese (same keys in both)."""

EN = {
    "vae_explain_md": r"""
A **variational autoencoder** (Kingma & Welling, 2014) has an **encoder** $q_\phi(z|x) = \mathcal{N}(\mu_\phi(x), \operatorname{diag}\sigma^2_\phi(x))$, a **prior** $p(z) = \mathcal{N}(0, I)$ and a **decoder** $p_\theta(x|z)$. It is trained by maximising the **evidence lower bound** (ELBO) on $\log p_\theta(x)$, derived in three lines:

$$\log p_\theta(x) = \log \int p_\theta(x|z)\,p(z)\,dz = \log \mathbb{E}_{q_\phi(z|x)}\!\left[\frac{p_\theta(x|z)\,p(z)}{q_\phi(z|x)}\right] \;\ge\; \mathbb{E}_{q_\phi(z|x)}\!\left[\log \frac{p_\theta(x|z)\,p(z)}{q_\phi(z|x)}\right]$$

$$= \underbrace{\mathbb{E}_{q_\phi(z|x)}[\log p_\theta(x|z)]}_{-\text{reconstruction}} \;-\; \underbrace{D_\text{KL}\big(q_\phi(z|x)\,\|\,p(z)\big)}_{\text{KL}}$$

The inequality is Jensen's ($\log$ is concave); the gap is exactly $D_\text{KL}(q_\phi(z|x)\,\|\,p_\theta(z|x))$, how far the encoder is from the true posterior. The lab minimises $-\text{ELBO}$ = reconstruction + KL and plots both terms in **nats per image**, on training batches and on held-out digits the model never sees.

**The KL of two Gaussians in closed form.** For each latent dimension,
$$D_\text{KL}\big(\mathcal{N}(\mu, \sigma^2)\,\|\,\mathcal{N}(0, 1)\big) = \tfrac12\left(\mu^2 + \sigma^2 - 1 - \log \sigma^2\right),$$
summed over the $d$ dimensions. It is 0 only when $\mu = 0$ and $\sigma = 1$: a dimension whose KL stays near 0 for every digit carries no information, it has **collapsed to the prior** (the bars per dimension; a unit is *active* when its $\mu$ varies across digits, $\operatorname{Var}_x \mu_u > 0.01$, Burda et al. 2016).

**The reparameterisation trick.** The reconstruction term is an expectation over $z \sim q_\phi(z|x)$, and a sample drawn from a distribution has no gradient with respect to the distribution's parameters. Writing the sample as a function of $\phi$ and of noise that does not depend on $\phi$,
$$z = \mu_\phi(x) + \sigma_\phi(x) \odot \epsilon, \qquad \epsilon \sim \mathcal{N}(0, I),$$
gives $\nabla_\phi \mathbb{E}_{q_\phi}[f(z)] = \mathbb{E}_{\epsilon}[\nabla_\phi f(\mu_\phi + \sigma_\phi \odot \epsilon)]$, with $\partial z / \partial \mu = 1$ and $\partial z / \partial \sigma = \epsilon$: backpropagation reaches the encoder. The panel *one digit through the encoder* shows $\mu, \sigma, \epsilon, z$ and those gradients; PyTorch's own `Normal(μ, σ).sample()` returns a constant without them.

**The decoder's likelihood.** Each pixel of scikit-learn's 8×8 digits counts the inked bits of a 4×4 block of a 32×32 scan: a whole number from 0 to 16. So the lab's decoder outputs one logit per pixel and uses a **binomial** likelihood, $p_\theta(x|z) = \prod_i \binom{16}{k_i} p_i^{k_i} (1 - p_i)^{16 - k_i}$ with $p_i = \operatorname{sigmoid}(\text{logit}_i)$ — sixteen Bernoulli bits per pixel. It is a true distribution over the data as it is, so the nats are real code lengths (and the importance-weighted bound below is a bound on the real $\log p(x)$). A Gaussian with a *fixed* variance would make the reconstruction a squared error whose weight against the KL is arbitrary. For the 2D sets the decoder is **Gaussian with one learned variance** $s^2$ shared by all outputs: its optimum is the mean squared error, so it cannot shrink to zero the way a per-pixel variance would on the digits' always-blank corners.

**β** (Higgins et al., 2017) weighs the KL: the lab minimises reconstruction $+\;\beta\cdot$KL and always plots the true bound ($\beta = 1$). With $\beta > 1$ codes are pushed towards the prior: smoother latent spaces, blurrier reconstructions, more dimensions collapsed. With $\beta < 1$ reconstructions sharpen and the aggregate posterior $q(z) = \mathbb{E}_x[q(z|x)]$ drifts away from the prior, leaving **holes**: regions where the prior puts mass but no digit's code lies, so samples from the prior decode to nonsense. $\beta = 0$ is a plain **autoencoder** with the same encoder mean: nothing stops $\sigma$ shrinking, $z \to \mu$.

**Compression.** Read as a codec (Alemi et al., 2018), the KL is the **rate**: with bits-back coding, sending $z \sim q(z|x)$ costs $D_\text{KL}$ nats, $/\ln 2$ bits. The reconstruction error is the **distortion** (MSE, and PSNR $= 10 \log_{10}(1/\text{MSE})$ dB for pixels in $[0, 1]$). Sweeping $\beta$ traces the rate–distortion curve. **PCA** with as many components as the latent space has dimensions is the linear baseline: a linear autoencoder trained on squared error learns exactly PCA's subspace (Baldi & Hornik, 1989).

**A tighter bound.** The importance-weighted bound (Burda et al., 2016) $\log \frac1k \sum_{i=1}^k \frac{p_\theta(x|z_i)\,p(z_i)}{q_\phi(z_i|x)}$ with $z_i \sim q_\phi(z|x)$ equals the ELBO for $k = 1$ and rises towards $\log p_\theta(x)$ as $k$ grows.
""",
    "vae_tab": "VAE",
    "vae_intro": "Train a VAE live and see the ELBO at work: reconstruction against KL, the latent space, the "
                 "reparameterisation trick, β, and the VAE as an image codec.",
    "vae_explain": "How VAEs work",
    # controls
    "vae_dataset": "Data set",
    "vae_dataset_digits": "8×8 handwritten digits",
    "vae_dataset_moons": "two moons (2D points)",
    "vae_dataset_ring": "ring of 8 Gaussians (2D points)",
    "vae_likelihood": "Decoder likelihood p(x|z)",
    "vae_likelihood_info": "Binomial: 16 ink bits per pixel (digits only). Gaussian: one learned variance.",
    "vae_likelihood_binomial": "binomial (16 bits per pixel)",
    "vae_likelihood_gaussian": "Gaussian, learned variance",
    "vae_latent_dim": "Latent dimensions d",
    "vae_width": "Width (units per hidden layer)",
    "vae_depth": "Hidden layers (0 = linear)",
    "vae_beta": "β (weight of the KL term)",
    "vae_beta_info": "1 = the true ELBO; 0 = a plain autoencoder; above 1 pushes codes towards the prior.",
    "vae_lr": "Learning rate (Adam)",
    "vae_batch": "Batch size",
    "vae_iterations": "Iterations per Start",
    "vae_digit_index": "Held-out digit (index)",
    "vae_interp_from": "From held-out digit (index)",
    "vae_interp_to": "To held-out digit (index)",
    "vae_interp_steps": "Steps along the path",
    "vae_iwae_k": "Importance samples k",
    "vae_sketch": "Draw a digit",
    "vae_sketch_info": "Draw a digit on the pad and press Encode: it is cut to its bounding box, rasterised like the "
                       "scanned digits (32×32 bits counted in 4×4 blocks) and sent through the encoder.",
    # buttons and panels (Start / Pause / Resume / Step / Reset are the shared live_* strings)
    "vae_encode_drawing": "Encode my drawing",
    "vae_encode_digit": "Encode this digit",
    "vae_eps_seed": "Seed of ε",
    "vae_samples_seed": "Seed of z",
    "vae_compress": "Measure the codec",
    "vae_networks": "Networks",
    "vae_reparam_info": "Pick a held-out digit (or point) by its index, or draw a digit, and encode it: the table "
                        "gives μ, σ, ε and z = μ + σ ⊙ ε, and the star on the latent map follows it while the model "
                        "trains. Resample ε draws another ε for the same input.",
    "vae_sweep_info": "The sweep trains one VAE per β with the settings on the left (the same seed) and adds each "
                      "point as soon as it is done.",
    "vae_compare_info": "Two models from the same seed and settings, one without the KL term (β = 0) and one with it "
                        "(β = 1), trained side by side; β on the left is not used here.",
    "vae_sweep_progress": "Training β = {beta} ({i} of {n}, {iterations} iterations each)…",
    "vae_sweep_done": "Sweep done: {n} models, one per β.",
    "vae_resample": "Resample ε",
    "vae_generate": "Sample from the prior",
    "vae_interpolate": "Interpolate",
    "vae_sweep_button": "Sweep β (trains one model per β)",
    "vae_compare_button": "Train an autoencoder and a VAE side by side",
    "vae_panel_live": "Training",
    "vae_panel_latent": "Latent space",
    "vae_panel_reparam": "One digit through the encoder",
    "vae_panel_generate": "Generate and interpolate",
    "vae_panel_compression": "Compression",
    "vae_panel_compare": "Autoencoder vs VAE",
    # curves
    "vae_curves_title": "Training curves · iteration {iteration} · β = {beta}<br>(they show the β = 1 bound)",
    "vae_curve_elbo": "−ELBO, nats per image",
    "vae_curve_recon": "reconstruction −log p(x|z)",
    "vae_curve_kl": "KL(q(z|x) ‖ p(z))",
    "vae_curve_kl_dims": "held-out KL of each of the {n} latent dimensions",
    "vae_train": "training batches",
    "vae_held_out": "held-out",
    "vae_iteration": "iteration",
    "vae_nats": "nats",
    "vae_kl_bars_title": "KL per latent dimension (held-out)<br>{active} of {d} active · grey: collapsed to the prior",
    # latent space
    "vae_latent_title": "Latent space: held-out μ, 1σ of q(z|x)<br>5-NN accuracy {knn} · {active} of {d} units active",
    "vae_class": "class",
    "vae_pc": "principal axis {n} of μ",
    "vae_ellipses": "1σ of q(z|x)",
    "vae_encoded": "the encoded input (μ)",
    "vae_manifold_title": "Decoded manifold: E[x|z] over a grid of z<br>covering the latent map",
    "vae_ink": "ink",
    "vae_density_title": "Prior p(z) vs aggregate posterior q(z) = E_x[q(z|x)]<br>{holes} of the prior's mass in holes "
                         "(red: q < p/10)",
    "vae_prior": "prior p(z) = N(0, I)",
    "vae_aggregate": "aggregate posterior q(z)",
    "vae_mass": "probability per cell",
    "vae_plane_title": "Data plane: held-out points, reconstructions,<br>samples of the model, the decoded latent grid",
    "vae_manifold_lines": "decoded latent grid",
    "vae_real": "held-out data",
    "vae_reconstructed": "reconstructed E[x|z = μ]",
    "vae_samples": "samples x ~ p(x|z), z ~ N(0, I)",
    # reparameterisation
    "vae_reparam_title": "z = μ + σ ⊙ ε · −log p(x|z) = {recon} nats · KL = {kl} nats",
    "vae_reparam_input": "input x",
    "vae_reparam_plane": "q(z|x): μ, z = μ + σε, 1σ, more samples",
    "vae_reparam_decoded": "decoded E[x|z]",
    "vae_input": "x",
    "vae_decoded": "E[x|z]",
    "vae_reparam_note": "L is this sample's −ELBO = −log p(x|z) + β·KL. Its gradient reaches μ and log σ² because z is "
                        "computed from them: ∂z/∂μ = 1, ∂z/∂σ = ε.",
    "vae_plain_sample_grad_no": "A sample drawn by the distribution itself (PyTorch's Normal(μ, σ).sample()) carries no "
                                "gradient: autograd sees a constant, and the encoder would learn nothing from it.",
    "vae_plain_sample_grad_yes": "A sample drawn by the distribution itself carried a gradient here (unexpected).",
    # generation and interpolation
    "vae_samples_title": "{n} samples from the prior: z ~ N(0, I), decoded E[x|z]",
    "vae_interp_title": "From a held-out {a} to a held-out {b}:<br>the codes μ joined, decoded at every step",
    "vae_linear": "linear: (1 − t)·z_a + t·z_b · ‖z‖ from {low} to {high}",
    "vae_spherical": "spherical (slerp) · ‖z‖ from {low} to {high}",
    "vae_endpoints": "endpoints",
    # compression
    "vae_compression_title": "β = {beta} as a codec: rate {rate} bits per digit<br>distortion (decoding z ~ q): MSE {mse}, "
                             "PSNR {psnr} dB",
    "vae_originals": "held-out digits",
    "vae_vae_row": "VAE, d = {d}, decoding μ: MSE {mse}, PSNR {psnr} dB",
    "vae_pca_row": "PCA, {d} components: MSE {mse}, PSNR {psnr} dB",
    "vae_rd_title": "Rate–distortion: one VAE per β<br>d = {d}, held-out digits",
    "vae_sweep": "β sweep",
    "vae_current": "this run (β = {beta})",
    "vae_pca_line": "PCA, {d} components (no rate: real numbers)",
    "vae_rate_axis": "rate: KL in bits per digit",
    "vae_distortion_axis": "distortion: MSE per pixel",
    # autoencoder vs VAE
    "vae_cmp_title": "Same seed, same networks, iteration {iteration}: without and with the KL term",
    "vae_ae": "autoencoder (β = 0)",
    "vae_vae": "VAE (β = 1)",
    "vae_cmp_latent": "μ · 5-NN {knn}",
    "vae_cmp_density": "q(z), prior's 1σ and 2σ · {holes} of p in holes",
    "vae_cmp_samples": "decoded prior samples",
    # status
    "vae_status_iter": "**Iteration {iteration}**",
    "vae_status_held_out": "held-out (iteration {at}): −ELBO **{elbo}** nats = reconstruction {recon} + KL {kl} · "
                           "5-NN on μ **{knn}** · active units {active} of {d}",
    # errors
    "vae_err_dataset": "Unknown data set '{value}'. Choose one of: {allowed}.",
    "vae_err_binomial_points": "The binomial likelihood counts ink bits, so it is for the digits only: choose the "
                               "Gaussian likelihood for 2D points.",
    "vae_err_digits_only": "Compression and the rate–distortion curve are for the digits: choose the digits data set.",
    "vae_err_sketch_digits": "A drawing is encoded as a digit: choose the digits data set first.",
    "vae_err_no_run": "There is no model yet: press Start, Step or Reset first.",
    "vae_err_no_probe": "Nothing is encoded yet: pick a held-out digit and press Encode, or draw one.",
    "vae_err_compare_digits": "The comparison decodes samples of the prior into digits: choose the digits data set.",
    "vae_err_generate_digits": "Samples of the prior are decoded into digits here; for 2D points the data plane shows "
                               "the model's samples.",
    "vae_err_empty_sketch": "The drawing is empty ({pixels} inked pixels; at least {minimum} needed): draw a digit on "
                            "the sketch pad first.",
}

ZH = {
    "vae_explain_md": r"""
**变分自编码器**（Kingma 与 Welling，2014）由三部分组成：**编码器** $q_\phi(z|x) = \mathcal{N}(\mu_\phi(x), \operatorname{diag}\sigma^2_\phi(x))$、**先验** $p(z) = \mathcal{N}(0, I)$ 和**解码器** $p_\theta(x|z)$。训练目标是最大化 $\log p_\theta(x)$ 的**证据下界**（ELBO），三行即可推出：

$$\log p_\theta(x) = \log \int p_\theta(x|z)\,p(z)\,dz = \log \mathbb{E}_{q_\phi(z|x)}\!\left[\frac{p_\theta(x|z)\,p(z)}{q_\phi(z|x)}\right] \;\ge\; \mathbb{E}_{q_\phi(z|x)}\!\left[\log \frac{p_\theta(x|z)\,p(z)}{q_\phi(z|x)}\right]$$

$$= \underbrace{\mathbb{E}_{q_\phi(z|x)}[\log p_\theta(x|z)]}_{-\text{重构}} \;-\; \underbrace{D_\text{KL}\big(q_\phi(z|x)\,\|\,p(z)\big)}_{\text{KL}}$$

不等号来自 Jensen 不等式（$\log$ 是凹函数）；差距恰好是 $D_\text{KL}(q_\phi(z|x)\,\|\,p_\theta(z|x))$，即编码器离真实后验有多远。实验室最小化 $-\text{ELBO}$ = 重构 + KL，并以**每张图像的奈特（nats）**画出两项，分别在训练批次和模型从未见过的留出数字上。

**两个高斯之间 KL 的闭式解。** 对每个潜变量维度，
$$D_\text{KL}\big(\mathcal{N}(\mu, \sigma^2)\,\|\,\mathcal{N}(0, 1)\big) = \tfrac12\left(\mu^2 + \sigma^2 - 1 - \log \sigma^2\right),$$
再对 $d$ 个维度求和。只有 $\mu = 0$ 且 $\sigma = 1$ 时它才为 0：若某一维对每个数字的 KL 都接近 0，它就不携带任何信息，已经**坍缩到先验**（见每维 KL 柱状图；若某单元的 $\mu$ 随数字变化，即 $\operatorname{Var}_x \mu_u > 0.01$，则称其为*活跃*单元，Burda 等 2016）。

**重参数化技巧。** 重构项是对 $z \sim q_\phi(z|x)$ 的期望，而从分布中直接抽出的样本对分布参数没有梯度。把样本写成 $\phi$ 与一个不依赖 $\phi$ 的噪声的函数：
$$z = \mu_\phi(x) + \sigma_\phi(x) \odot \epsilon, \qquad \epsilon \sim \mathcal{N}(0, I),$$
便有 $\nabla_\phi \mathbb{E}_{q_\phi}[f(z)] = \mathbb{E}_{\epsilon}[\nabla_\phi f(\mu_\phi + \sigma_\phi \odot \epsilon)]$，其中 $\partial z / \partial \mu = 1$、$\partial z / \partial \sigma = \epsilon$：反向传播得以到达编码器。面板“一个数字穿过编码器”给出 $\mu, \sigma, \epsilon, z$ 以及这些梯度；PyTorch 自己的 `Normal(μ, σ).sample()` 返回的则是没有梯度的常量。

**解码器的似然。** scikit-learn 的 8×8 数字中，每个像素是一张 32×32 扫描图里一个 4×4 方块中被墨迹覆盖的比特数：0 到 16 之间的整数。因此实验室的解码器为每个像素输出一个 logit，并使用**二项分布**似然 $p_\theta(x|z) = \prod_i \binom{16}{k_i} p_i^{k_i} (1 - p_i)^{16 - k_i}$，其中 $p_i = \operatorname{sigmoid}(\text{logit}_i)$——每个像素 16 个伯努利比特。它是数据本来面目上的真实分布，所以奈特数是真实的编码长度（下面的重要性加权下界也是真实 $\log p(x)$ 的下界）。若用*固定*方差的高斯，重构项就成了平方误差，它与 KL 之间的权重是任意的。对二维数据集，解码器是**所有输出共享一个可学习方差** $s^2$ 的高斯：其最优值就是均方误差，不会像逐像素方差那样在数字永远空白的角落上缩到 0。

**β**（Higgins 等，2017）给 KL 加权：实验室最小化 重构 $+\;\beta\cdot$KL，但曲线始终画真实的下界（$\beta = 1$）。$\beta > 1$ 时编码被推向先验：潜空间更平滑，重构更模糊，坍缩的维度更多。$\beta < 1$ 时重构更清晰，而聚合后验 $q(z) = \mathbb{E}_x[q(z|x)]$ 偏离先验，留下**空洞**：先验有质量、却没有任何数字的编码落在那里的区域，从先验采样解码出来的就是乱码。$\beta = 0$ 就是编码器均值相同的普通**自编码器**：没有什么能阻止 $\sigma$ 缩小，$z \to \mu$。

**压缩。** 把 VAE 看作编解码器（Alemi 等，2018），KL 就是**码率**：借助 bits-back 编码，传送 $z \sim q(z|x)$ 的代价是 $D_\text{KL}$ 奈特，除以 $\ln 2$ 即比特。重构误差是**失真**（MSE，以及像素在 $[0, 1]$ 时的 PSNR $= 10 \log_{10}(1/\text{MSE})$ dB）。扫描 $\beta$ 便画出率失真曲线。成分数与潜空间维数相同的 **PCA** 是线性基线：用平方误差训练的线性自编码器恰好学到 PCA 的子空间（Baldi 与 Hornik，1989）。

**更紧的下界。** 重要性加权下界（Burda 等，2016）$\log \frac1k \sum_{i=1}^k \frac{p_\theta(x|z_i)\,p(z_i)}{q_\phi(z_i|x)}$（$z_i \sim q_\phi(z|x)$）在 $k = 1$ 时等于 ELBO，随 $k$ 增大向 $\log p_\theta(x)$ 上升。
""",
    "vae_tab": "VAE",
    "vae_intro": "实时训练 VAE，看 ELBO 如何起作用：重构与 KL 的拉锯、潜空间、重参数化技巧、β，以及把 VAE 当作图像编解码器。",
    "vae_explain": "VAE 的原理",
    "vae_dataset": "数据集",
    "vae_dataset_digits": "8×8 手写数字",
    "vae_dataset_moons": "双月牙（二维点）",
    "vae_dataset_ring": "8 个高斯组成的圆环（二维点）",
    "vae_likelihood": "解码器似然 p(x|z)",
    "vae_likelihood_info": "二项分布：每个像素 16 个墨迹比特（仅限数字）。高斯：一个可学习的方差。",
    "vae_likelihood_binomial": "二项分布（每像素 16 比特）",
    "vae_likelihood_gaussian": "高斯，可学习方差",
    "vae_latent_dim": "潜变量维数 d",
    "vae_width": "宽度（每个隐藏层的单元数）",
    "vae_depth": "隐藏层数（0 = 线性）",
    "vae_beta": "β（KL 项的权重）",
    "vae_beta_info": "1 = 真正的 ELBO；0 = 普通自编码器；大于 1 会把编码推向先验。",
    "vae_lr": "学习率（Adam）",
    "vae_batch": "批大小",
    "vae_iterations": "每次“开始”的迭代数",
    "vae_digit_index": "留出数字（序号）",
    "vae_interp_from": "起点留出数字（序号）",
    "vae_interp_to": "终点留出数字（序号）",
    "vae_interp_steps": "路径上的步数",
    "vae_iwae_k": "重要性样本数 k",
    "vae_sketch": "画一个数字",
    "vae_sketch_info": "在画板上画一个数字并按“编码”：它会被裁到外接框，像扫描数字那样栅格化（32×32 比特按 4×4 方块计数），"
                       "再送入编码器。",
    "vae_encode_drawing": "编码我的画",
    "vae_encode_digit": "编码这个数字",
    "vae_eps_seed": "ε 的种子",
    "vae_samples_seed": "z 的种子",
    "vae_compress": "测量编解码器",
    "vae_networks": "网络",
    "vae_reparam_info": "按序号选一个留出数字（或点），或者画一个数字，然后编码：表格给出 μ、σ、ε 和 z = μ + σ ⊙ ε，"
                        "潜空间图上的星号会在模型训练时跟随它。“重新采样 ε”为同一个输入抽取另一个 ε。",
    "vae_sweep_info": "扫描用左侧的设置（相同种子）为每个 β 训练一个 VAE，每训练完一个就加上一个点。",
    "vae_compare_info": "用相同种子和设置训练的两个模型，一个没有 KL 项（β = 0），一个有（β = 1），并排训练；"
                        "这里不使用左侧的 β。",
    "vae_sweep_progress": "正在训练 β = {beta}（第 {i} 个，共 {n} 个，每个 {iterations} 次迭代）……",
    "vae_sweep_done": "扫描完成：{n} 个模型，每个 β 一个。",
    "vae_resample": "重新采样 ε",
    "vae_generate": "从先验采样",
    "vae_interpolate": "插值",
    "vae_sweep_button": "扫描 β（每个 β 训练一个模型）",
    "vae_compare_button": "并排训练一个自编码器和一个 VAE",
    "vae_panel_live": "训练",
    "vae_panel_latent": "潜空间",
    "vae_panel_reparam": "一个数字穿过编码器",
    "vae_panel_generate": "生成与插值",
    "vae_panel_compression": "压缩",
    "vae_panel_compare": "自编码器与 VAE 对比",
    "vae_curves_title": "训练曲线 · 第 {iteration} 次迭代 · β = {beta}<br>（曲线画的是 β = 1 的下界）",
    "vae_curve_elbo": "−ELBO，每张图像的奈特数",
    "vae_curve_recon": "重构 −log p(x|z)",
    "vae_curve_kl": "KL(q(z|x) ‖ p(z))",
    "vae_curve_kl_dims": "{n} 个潜变量维度各自的留出 KL",
    "vae_train": "训练批次",
    "vae_held_out": "留出数据",
    "vae_iteration": "迭代",
    "vae_nats": "奈特",
    "vae_kl_bars_title": "每个潜变量维度的 KL（留出数据）<br>{d} 个中 {active} 个活跃 · 灰色：已坍缩到先验",
    "vae_latent_title": "潜空间：留出数字的 μ，q(z|x) 的 1σ 椭圆<br>5 近邻准确率 {knn} · {d} 个单元中 {active} 个活跃",
    "vae_class": "类别",
    "vae_pc": "μ 的第 {n} 主轴",
    "vae_ellipses": "q(z|x) 的 1σ",
    "vae_encoded": "编码后的输入（μ）",
    "vae_manifold_title": "解码流形：覆盖潜空间图的<br>z 网格上的 E[x|z]",
    "vae_ink": "墨迹",
    "vae_density_title": "先验 p(z) 与聚合后验 q(z) = E_x[q(z|x)]<br>先验质量的 {holes} 落在空洞中（红色：q < p/10）",
    "vae_prior": "先验 p(z) = N(0, I)",
    "vae_aggregate": "聚合后验 q(z)",
    "vae_mass": "每格的概率",
    "vae_plane_title": "数据平面：留出点、它们的重构、<br>模型的样本、解码后的潜空间网格",
    "vae_manifold_lines": "解码后的潜空间网格",
    "vae_real": "留出数据",
    "vae_reconstructed": "重构 E[x|z = μ]",
    "vae_samples": "样本 x ~ p(x|z)，z ~ N(0, I)",
    "vae_reparam_title": "z = μ + σ ⊙ ε · −log p(x|z) = {recon} 奈特 · KL = {kl} 奈特",
    "vae_reparam_input": "输入 x",
    "vae_reparam_plane": "q(z|x)：μ、z = μ + σε、1σ 及更多样本",
    "vae_reparam_decoded": "解码 E[x|z]",
    "vae_input": "x",
    "vae_decoded": "E[x|z]",
    "vae_reparam_note": "L 是这个样本的 −ELBO = −log p(x|z) + β·KL。它的梯度能到达 μ 和 log σ²，因为 z 是由它们算出来的："
                        "∂z/∂μ = 1，∂z/∂σ = ε。",
    "vae_plain_sample_grad_no": "由分布自己抽出的样本（PyTorch 的 Normal(μ, σ).sample()）不带梯度：autograd 把它看作常量，"
                                "编码器从中学不到任何东西。",
    "vae_plain_sample_grad_yes": "由分布自己抽出的样本在这里居然带有梯度（意料之外）。",
    "vae_samples_title": "从先验抽取的 {n} 个样本：z ~ N(0, I)，解码为 E[x|z]",
    "vae_interp_title": "从一个留出的 {a} 到一个留出的 {b}：<br>连接两个编码 μ，并在每一步解码",
    "vae_linear": "线性：(1 − t)·z_a + t·z_b · ‖z‖ 从 {low} 到 {high}",
    "vae_spherical": "球面（slerp）· ‖z‖ 从 {low} 到 {high}",
    "vae_endpoints": "端点",
    "vae_compression_title": "β = {beta} 作为编解码器：码率每个数字 {rate} 比特<br>失真（解码 z ~ q）MSE {mse}，PSNR {psnr} dB",
    "vae_originals": "留出数字",
    "vae_vae_row": "VAE，d = {d}，解码 μ：MSE {mse}，PSNR {psnr} dB",
    "vae_pca_row": "PCA，{d} 个成分：MSE {mse}，PSNR {psnr} dB",
    "vae_rd_title": "率失真：每个 β 一个 VAE<br>d = {d}，留出数字",
    "vae_sweep": "β 扫描",
    "vae_current": "本次训练（β = {beta}）",
    "vae_pca_line": "PCA，{d} 个成分（实数，无码率）",
    "vae_rate_axis": "码率：每个数字的 KL 比特数",
    "vae_distortion_axis": "失真：每像素 MSE",
    "vae_cmp_title": "相同种子、相同网络，第 {iteration} 次迭代：没有与有 KL 项",
    "vae_ae": "自编码器（β = 0）",
    "vae_vae": "VAE（β = 1）",
    "vae_cmp_latent": "μ · 5 近邻 {knn}",
    "vae_cmp_density": "q(z)，先验的 1σ 与 2σ · p 的 {holes} 在空洞中",
    "vae_cmp_samples": "解码的先验样本",
    "vae_status_iter": "**第 {iteration} 次迭代**",
    "vae_status_held_out": "留出数据（第 {at} 次迭代）：−ELBO **{elbo}** 奈特 = 重构 {recon} + KL {kl} · "
                           "μ 上的 5 近邻 **{knn}** · {d} 个单元中 {active} 个活跃",
    "vae_err_dataset": "未知数据集“{value}”。可选：{allowed}。",
    "vae_err_binomial_points": "二项分布似然计数的是墨迹比特，只适用于数字：二维点请选择高斯似然。",
    "vae_err_digits_only": "压缩与率失真曲线只适用于数字：请选择数字数据集。",
    "vae_err_sketch_digits": "画作会被当作数字来编码：请先选择数字数据集。",
    "vae_err_no_run": "还没有模型：请先按“开始”“单步”或“重置”。",
    "vae_err_no_probe": "还没有编码任何输入：选一个留出数字并按“编码”，或者画一个。",
    "vae_err_compare_digits": "对比会把先验样本解码成数字：请选择数字数据集。",
    "vae_err_generate_digits": "这里把先验样本解码成数字；对二维点，数据平面已经画出模型的样本。",
    "vae_err_empty_sketch": "画板是空的（{pixels} 个有墨迹的像素；至少需要 {minimum} 个）：请先在画板上画一个数字。",
}
