# golf.py: smallest self-contained GPT speed trainer we could keep readable-ish.
# torchrun --nproc_per_node=8 golf.py
import os,sys,glob,time,math
import numpy as np,torch as t,torch.nn as nn,torch.nn.functional as F,torch.distributed as D
from torch.nn.attention.flex_attention import flex_attention as fa,create_block_mask as cbm
from torch.nn.parallel import DistributedDataParallel as DDP
E=os.environ.get
TR,VA=E('TRAIN','data/fineweb_train_*.bin'),E('VAL','data/fineweb_val_*.bin')
NV=(50257|127)+1             # vocab rounded up to the next multiple of 128
C,H,L=768,12,12              # width, heads, layers
T=48*1024                    # train tokens per rank per step (one flat stream)
VT=1<<18                     # val tokens per rank per forward (one flat stream)
N=int(E('N',1770))           # steps
VTOK=int(E('VTOK',10485760)) # val budget
CD=.4                        # cooldown fraction
W0,W1=64,1792                # attention window grows W0 -> W1
EOT=50256
n=lambda z:F.rms_norm(z,z.shape[-1:])
fa=t.compile(fa,dynamic=False)

def rot(z):
    # z: B,T,H,D ; plain rope, base 1e4
    d=z.size(-1)//2;p=t.arange(z.size(1),device=z.device,dtype=t.float32)
    f=p[:,None]*t.pow(1e4,-t.arange(d,device=z.device,dtype=t.float32)/d)[None]
    c,s=f.cos()[None,:,None],f.sin()[None,:,None];a,b=z.float().chunk(2,-1)
    return t.cat((a*c+b*s,b*c-a*s),-1).type_as(z)

class A(nn.Module):
    def __init__(s):
        super().__init__();s.q,s.k,s.v,s.o=(nn.Linear(C,C,bias=False) for _ in range(4))
    def forward(s,x,m):
        B,S,_=x.shape;f=lambda l:l(x).view(B,S,H,-1)
        q,k,v=rot(n(f(s.q))),rot(n(f(s.k))),f(s.v)
        y=fa(*(z.transpose(1,2) for z in(q,k,v)),block_mask=m,scale=.125)
        return s.o(y.transpose(1,2).reshape(B,S,C))

class M(nn.Sequential):
    def __init__(s):super().__init__(nn.Linear(C,4*C,bias=False),nn.Linear(4*C,C,bias=False))
    def forward(s,x):return s[1](F.relu(s[0](x))**2)

class Blk(nn.Module):
    def __init__(s):super().__init__();s.a,s.m=A(),M()
    def forward(s,x,m):x=x+s.a(n(x),m);return x+s.m(n(x))

class G(nn.Module):
    def __init__(s):
        super().__init__();s.e=nn.Embedding(NV,C);s.b=nn.ModuleList(Blk() for _ in range(L))
        s.h=nn.Linear(C,NV,bias=False);s.h.weight=s.e.weight
    def forward(s,i,y,w):
        d=(i==EOT).cumsum(0)
        mm=lambda b,h,q,k:(q>=k)&(d[q]==d[k])&(q-k<w)
        m=cbm(mm,None,None,len(i),len(i),device=i.device)
        x=s.e(i[None])
        for b in s.b:x=b(x,m)
        z=s.h(n(x));z=15*t.tanh(z/15)
        return F.cross_entropy(z.view(-1,NV),y)

def ns(g,k=5):
    a,b,c=3.4445,-4.7750,2.0315;X=g.bfloat16();X=X/(X.norm()+1e-7);tr=X.size(0)>X.size(1)
    if tr:X=X.T
    for _ in range(k):Y=X@X.T;X=a*X+b*Y@X+c*Y@Y@X
    return X.T if tr else X

class Mu(t.optim.Optimizer):
    def __init__(s,p,lr=.02,mo=.95):super().__init__(p,dict(lr=lr,mo=mo))
    @t.no_grad()
    def step(s):
        for g in s.param_groups:
            for p in g['params']:
                if p.grad is None:continue
                st=s.state[p];u=st.setdefault('u',t.zeros_like(p));u.mul_(g['mo']).add_(p.grad)
                p.add_(ns(p.grad.add(u,alpha=g['mo'])).type_as(p),alpha=-g['lr'])

def shard(f):
    h=np.fromfile(f,dtype=np.int32,count=256);assert h[0]==20240520
    return t.from_numpy(np.fromfile(f,dtype=np.uint16,offset=1024).astype(np.int32))

def feed(pat,span,r,ws):
    fs=sorted(glob.glob(pat));k=0;tk=shard(fs[k]);p=0
    while 1:
        if p+span*ws+1>=len(tk):k=(k+1)%len(fs);tk=shard(fs[k]);p=0
        b=tk[p+r*span:p+r*span+span+1].cuda();p+=span*ws
        yield b[:-1],b[1:].long()

def win(s):return t.tensor(W0*(1+int((W1//W0-1)*s/N)),device='cuda',dtype=t.int32)
lr=lambda s:min(1.,(N-s)/(CD*N))

# ---- extras: logging, checkpoints, sampling ----
RUN=E('RUN',time.strftime('%m%d-%H%M%S'));LOGD=E('LOGD','logs')
def lg(r,*a):
    if r:return
    os.makedirs(LOGD,exist_ok=True);s=' '.join(map(str,a));print(s,flush=True)
    with open(f'{LOGD}/{RUN}.txt','a') as f:print(s,file=f)

def ck(g,o,s,r):
    if r or not int(E('SAVE',0)):return
    os.makedirs(f'{LOGD}/{RUN}',exist_ok=True)
    t.save(dict(s=s,g=g.state_dict(),o=[x.state_dict() for x in o]),f'{LOGD}/{RUN}/s{s:05d}.pt')

@t.no_grad()
def logits_last(g,i):
    # full-causal pass for sampling (no doc/window mask), returns last-position logits
    B=len(i);mm=lambda b,h,q,k:q>=k
    pad=(-B)%128;ii=t.cat([i,i.new_full((pad,),EOT)]) if pad else i
    m=cbm(mm,None,None,len(ii),len(ii),device=i.device)
    x=g.e(ii[None])
    for b in g.b:x=b(x,m)
    z=g.h(n(x))[0,B-1];return 15*t.tanh(z/15)

@t.no_grad()
def gen(g,prompt,k=40,steps=32,temp=1.):
    i=t.tensor(prompt,device='cuda',dtype=t.int32)
    for _ in range(steps):
        z=logits_last(g,i)[:50257].float()/temp;v,ix=z.topk(k)
        nx=ix[t.multinomial(F.softmax(v,-1),1)];i=t.cat([i,nx.int()])
        if nx.item()==EOT:break
    return i.tolist()

def stats(g):
    tot=sum(p.numel() for p in g.parameters());mat=sum(p.numel() for p in g.b.parameters())
    return f'params {tot/1e6:.1f}M (blocks {mat/1e6:.1f}M) vocab {NV} T {T} VT {VT}'

def main():
    D.init_process_group('nccl');r,ws=D.get_rank(),D.get_world_size();lo=int(E('LOCAL_RANK',0))
    t.cuda.set_device(lo);P=lambda*a:lg(r,*a)
    P(' '.join(sys.argv),t.__version__)
    g0=G().cuda();P(stats(g0));g=t.compile(g0,dynamic=False);m=DDP(g,device_ids=[lo])
    mats=[p for p in g.b.parameters()]
    o=[t.optim.Adam([g.e.weight],lr=.006,betas=(.9,.95)),Mu(mats,lr=.02)]
    for x in o:
        for q in x.param_groups:q['i']=q['lr']
    it=feed(TR,T,r,ws);ac=t.autocast('cuda',t.bfloat16);t0=time.perf_counter()
    for s in range(N+1):
        w=win(s)
        if s%125==0 or s==N:
            m.eval();vl=0;vs=VTOK//(VT*ws);vi=feed(VA,VT,r,ws)
            with t.no_grad(),ac:
                for _ in range(vs):vx,vy=next(vi);vl+=m(vx,vy,w)
            vl=vl/vs;D.all_reduce(vl,op=D.ReduceOp.AVG);P(f'step:{s}/{N} val_loss:{vl.item():.4f} t:{time.perf_counter()-t0:.0f}s');m.train()
        if s==N:break
        if s==5:t.compiler.set_stance('fail_on_recompile')
        x,y=next(it)
        with ac:l=m(x,y,w)
        l.backward()
        for x_ in o:
            for q in x_.param_groups:q['lr']=q['i']*lr(s)
            x_.step()
        m.zero_grad(set_to_none=True)
        if s%25==0:P(f'step:{s} loss:{l.item():.4f} win:{int(w)}')
        if s and s%500==0:ck(g0,o,s,r)
    ck(g0,o,N,r)
    if r==0 and int(E('SAMPLE',0)):
        g0.eval()
        with ac:P('sample:',gen(g0,[EOT,464,3139,286]))
    P(f'peak mem {t.cuda.max_memory_allocated()>>20} MiB')
    D.destroy_process_group()

if __name__=='__main__':main()
