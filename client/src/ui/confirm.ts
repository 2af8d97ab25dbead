/** ConfirmDialog's words: its title, what the step does, the cancel and the confirm buttons' labels. */
export interface ConfirmQuestion {
  title: string;
  text: string;
  cancel: string;
  confirm: string;
}
